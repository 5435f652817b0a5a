//! Mail templates: files `templates/<name>/{subject.txt,body.txt,body.html}`
//! embedded at compile time and rendered with minijinja (HTML auto-escaped in
//! `body.html`; an undefined variable is an error, not an empty string).

use std::sync::LazyLock;

use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

struct Files {
    name: &'static str,
    subject: (&'static str, &'static str),
    text: (&'static str, &'static str),
    html: (&'static str, &'static str),
}

macro_rules! template {
    ($name:literal) => {
        Files {
            name: $name,
            subject: (concat!($name, "/subject.txt"), include_str!(concat!("../templates/", $name, "/subject.txt"))),
            text: (concat!($name, "/body.txt"), include_str!(concat!("../templates/", $name, "/body.txt"))),
            html: (concat!($name, "/body.html"), include_str!(concat!("../templates/", $name, "/body.html"))),
        }
    };
}

/// Every template; a new one is one line here plus its folder.
const TEMPLATES: &[Files] = &[
    template!("test_message"),
    template!("weekly_digest"),
    template!("report_rows_reminder"),
    template!("report_reminder"),
    template!("report_overdue_bureau"),
    template!("application_step"),
    template!("objection_ruling"),
    template!("agreement_overdue"),
    template!("reassessment_due"),
    template!("reassessment_due_bureau"),
    template!("ban_ended"),
    template!("policy_expiring"),
    template!("calendar_missing"),
];

static ENV: LazyLock<Result<Environment<'static>, minijinja::Error>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    for t in TEMPLATES {
        for (name, source) in [t.subject, t.text, t.html] {
            env.add_template(name, source)?;
        }
    }
    Ok(env)
});

/// A rendered message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// One line.
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The names of all templates.
pub fn names() -> impl Iterator<Item = &'static str> {
    TEMPLATES.iter().map(|t| t.name)
}

/// Renders template `name` with `vars`.
///
/// # Errors
/// Unknown template, a syntax error, or a variable the template needs missing from `vars`.
pub fn render(name: &str, vars: &impl Serialize) -> Result<Rendered, minijinja::Error> {
    let env = ENV.as_ref().map_err(|e| minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, format!("mail templates: {e:#}")))?;
    let files = TEMPLATES
        .iter()
        .find(|t| t.name == name)
        .ok_or_else(|| minijinja::Error::new(minijinja::ErrorKind::TemplateNotFound, format!("no mail template named `{name}`")))?;
    let subject = env.get_template(files.subject.0)?.render(vars)?;
    let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = env.get_template(files.text.0)?.render(vars)?;
    let html = env.get_template(files.html.0)?.render(vars)?;
    Ok(Rendered { subject, text, html })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_template_parses() {
        assert!(ENV.is_ok(), "{:?}", ENV.as_ref().err());
        assert!(names().any(|n| n == "test_message"));
    }

    #[test]
    fn test_message_renders_in_chinese_and_escapes_html() {
        let vars = json!({"recipient_name": "张三 <script>", "sent_by": "系统管理员", "link": "https://registry.example/x?a=1&b=2"});
        let r = render("test_message", &vars).unwrap();
        assert_eq!(r.subject, "【东莞市技能资源登记】测试邮件");
        assert!(r.text.contains("张三 <script>您好"), "{}", r.text);
        assert!(r.text.contains("https://registry.example/x?a=1&b=2"), "{}", r.text);
        assert!(r.html.contains("张三 &lt;script&gt;"), "{}", r.html);
        assert!(r.html.contains("a=1&amp;b=2"), "{}", r.html);
    }

    #[test]
    fn missing_variables_and_unknown_templates_are_errors() {
        assert!(render("test_message", &json!({"recipient_name": "张三"})).is_err());
        assert!(render("no_such_template", &json!({})).is_err());
    }

    #[test]
    fn weekly_digest_lists_sections() {
        let vars = json!({
            "recipient_name": "李四",
            "week": "2026年第24周",
            "link": "https://registry.example/api/v1/jobs",
            "sections": [{"title": "投递失败的邮件", "total": 2, "rows": ["甲", "乙"], "more": 0}],
        });
        let r = render("weekly_digest", &vars).unwrap();
        assert_eq!(r.subject, "【东莞市技能资源登记】每周工作摘要（2026年第24周）");
        assert!(r.text.contains("投递失败的邮件（2）") && r.text.contains("- 乙"), "{}", r.text);
        assert!(r.html.contains("<li>甲</li>"), "{}", r.html);
    }

    #[test]
    fn a_member_of_several_alliances_gets_one_reminder_listing_them() {
        let base = json!({
            "recipient_name": "王五", "organization_name": "东莞市甲公司", "period": "2026年上半年度",
            "deadline": "2026-07-15", "when": "今天是截止日期", "overdue": false, "link": "https://r.example/api/v1/alliances",
        });
        let mut one = base.clone();
        one["alliances"] = json!([{"name": "模具联盟", "link": "https://r.example/a1"}]);
        let r = render("report_rows_reminder", &one).unwrap();
        assert!(r.text.contains("是“模具联盟”的成员单位"), "{}", r.text);
        let mut two = base;
        two["alliances"] =
            json!([{"name": "模具联盟", "link": "https://r.example/a1"}, {"name": "电子联盟", "link": "https://r.example/a2"}]);
        let r = render("report_rows_reminder", &two).unwrap();
        assert!(r.text.contains("以下2个职业培训联盟") && r.text.contains("- 电子联盟：https://r.example/a2"), "{}", r.text);
        assert!(r.html.contains("<li><a href=\"https:&#x2f;&#x2f;r.example&#x2f;a1\">模具联盟</a></li>"), "{}", r.html);
    }

    #[test]
    fn the_bureau_message_counts_what_it_does_not_list() {
        let vars = json!({
            "recipient_name": "李四", "period": "2026年上半年度", "deadline": "2026-07-31", "days_overdue": 31,
            "total": 52, "more": 50, "link": "https://r.example/api/v1/reports?period=2026H1&status=overdue",
            "reports": [{"name": "模具联盟", "missing_rows": 2, "link": "https://r.example/a1"}, {"name": "电子联盟", "missing_rows": 0, "link": "https://r.example/a2"}],
        });
        let r = render("report_overdue_bureau", &vars).unwrap();
        assert_eq!(r.subject, "【逾期30天】52个联盟2026年上半年度报送已逾期31天");
        assert!(r.text.contains("以下52个联盟仍未提交") && r.text.contains("另有50个联盟"), "{}", r.text);
        let one = json!({
            "recipient_name": "李四", "period": "2026年上半年度", "deadline": "2026-07-31", "days_overdue": 31,
            "total": 1, "more": 0, "link": "https://r.example/a1",
            "reports": [{"name": "模具联盟", "missing_rows": 2, "link": "https://r.example/a1"}],
        });
        assert_eq!(render("report_overdue_bureau", &one).unwrap().subject, "【逾期30天】“模具联盟”2026年上半年度报送已逾期31天");
    }
}
