//! The HTML of the dashboard page, login form and messages. Every figure on
//! a card carries `data-figure="<path in the overview JSON>"`, so a test can
//! compare the page with `GET /api/v1/dashboard/overview`.

use std::fmt::Write as _;

use entities::{
    dashboard::{Change, percent_label},
    report::Standing,
};

use super::svg;
use crate::{
    auth::Caller,
    services::dashboard::{Overview, overdue::OverdueItem},
};

/// HTML-escapes text and attribute values.
#[must_use]
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:'Noto Sans CJK SC','Noto Sans SC','Microsoft YaHei','PingFang SC',sans-serif;margin:0;background:#f4f6f9;color:#222}\
header{background:#b71c1c;color:#fff;padding:12px 24px;display:flex;justify-content:space-between;align-items:center}\
header h1{font-size:20px;margin:0}header form{display:inline}header button{background:none;border:1px solid #fff;color:#fff;padding:4px 10px;cursor:pointer}\
main{padding:16px 24px;max-width:1400px}\
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:12px;margin-bottom:16px}\
.card{background:#fff;border-radius:6px;padding:12px 14px;box-shadow:0 1px 2px rgba(0,0,0,.12)}\
.card .label{font-size:13px;color:#555}.card .value{font-size:28px;font-weight:bold;margin-top:4px}.card .note{font-size:12px;color:#777;margin-top:2px}\
section{background:#fff;border-radius:6px;padding:12px 16px;margin-bottom:16px;box-shadow:0 1px 2px rgba(0,0,0,.12)}\
section h2{font-size:16px;margin:0 0 8px}.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:16px}\
table{border-collapse:collapse;width:100%;font-size:13px}th,td{border:1px solid #ddd;padding:4px 8px;text-align:left}th{background:#fafafa}\
td.n{text-align:right}.up{color:#2e7d32}.down{color:#c62828}.muted{color:#777;font-size:13px}\
form.scope input{width:90px}.login{max-width:360px;margin:80px auto;background:#fff;padding:24px;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.2)}\
.login label{display:block;margin:10px 0 4px}.login input{width:100%;padding:6px;box-sizing:border-box}.login button{margin-top:16px;padding:8px 16px}\
.error{color:#c62828}";

fn head(title: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body>",
        esc(title)
    )
}

/// The login form, with the refusal message after a failed attempt.
#[must_use]
pub fn login(error: Option<&str>) -> String {
    let mut out = head("登录 · 统计看板");
    let _ = write!(
        out,
        "<div class=\"login\"><h1>东莞市职业培训联盟与技能资源登记服务</h1><p>统计看板 · 市人社局工作人员登录</p>{}\
         <form method=\"post\" action=\"/dashboard/login\" id=\"login\">\
         <label for=\"username\">用户名</label><input id=\"username\" name=\"username\" autocomplete=\"username\" required>\
         <label for=\"password\">密码</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>\
         <button type=\"submit\" id=\"submit\">登录</button></form></div></body></html>",
        error.map(|e| format!("<p class=\"error\" id=\"login-error\">{}</p>", esc(e))).unwrap_or_default()
    );
    out
}

/// A page with one message (403, errors).
#[must_use]
pub fn message(title: &str, text: &str) -> String {
    let mut out = head(title);
    let _ = write!(
        out,
        "<div class=\"login\"><h1>{}</h1><p>{}</p><p><a href=\"/dashboard/login\">返回登录</a></p></div></body></html>",
        esc(title),
        esc(text)
    );
    out
}

fn card(out: &mut String, label: &str, key: &str, value: &str, note: &str) {
    let _ = write!(
        out,
        "<div class=\"card\"><div class=\"label\">{}</div><div class=\"value\" data-figure=\"{}\">{}</div><div class=\"note\">{}</div></div>",
        esc(label),
        esc(key),
        esc(value),
        note
    );
}

fn change_html(c: Change) -> String {
    let class = match c.delta.signum() {
        1 => "up",
        -1 => "down",
        _ => "muted",
    };
    let rel = c.permille.map(|p| format!("（{}{}.{}%）", if p < 0 { "-" } else { "+" }, p.abs() / 10, p.abs() % 10)).unwrap_or_default();
    format!("<span class=\"{class}\">较上期 {:+}{rel}</span>", c.delta)
}

fn row(out: &mut String, cells: &[String]) {
    out.push_str("<tr>");
    for (i, c) in cells.iter().enumerate() {
        if i > 0 && c.chars().all(|ch| ch.is_ascii_digit() || ch == '-' || ch == '+') && !c.is_empty() {
            let _ = write!(out, "<td class=\"n\">{c}</td>");
        } else {
            let _ = write!(out, "<td>{c}</td>");
        }
    }
    out.push_str("</tr>");
}

fn table(out: &mut String, headers: &[&str]) {
    out.push_str("<table><thead><tr>");
    for h in headers {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>");
}

/// The dashboard.
#[must_use]
#[allow(clippy::too_many_lines)] // one page, top to bottom
pub fn dashboard(o: &Overview, overdue: &[OverdueItem], caller: &Caller) -> String {
    let period = o.scope.period;
    let label = period.label_zh();
    let c = &o.compliance;
    let t = &o.training;
    let mut out = head(&format!("统计看板 · {label}"));
    let _ = write!(
        out,
        "<header><h1>东莞市职业培训联盟统计看板</h1><div>{} · <form method=\"post\" action=\"/dashboard/logout\"><button>退出登录</button></form></div></header><main>",
        esc(&caller.username)
    );
    let _ = write!(
        out,
        "<form class=\"scope\" method=\"get\" action=\"/dashboard\">报送期 <input name=\"period\" value=\"{code}\" aria-label=\"报送期\"> <button>查看</button> \
         <span class=\"muted\">数据截至 {today}（北京时间）· 当前报送期：<b id=\"period-label\">{label}</b>，报送截止日期 {due}</span> · \
         <a href=\"/dashboard/overview.xlsx?period={code}\">导出看板（XLSX）</a> · <a href=\"/dashboard/overdue.csv\">导出逾期未报清单（CSV）</a></form><br>",
        code = period.code(),
        today = o.today,
        label = esc(&label),
        due = c.deadlines.report.due
    );

    out.push_str("<div class=\"cards\">");
    card(&mut out, "已备案联盟", "alliances.registered", &registered(o).to_string(), &format!("联盟总数 {}", o.alliances.total));
    card(&mut out, "成员单位", "members.units", &o.members.units.to_string(), &format!("成员关系 {}", o.members.memberships));
    card(&mut out, "本期应报联盟", "reports.owed", &c.owed.to_string(), &esc(&label));
    card(&mut out, "已报送", "reports.handed_in", &c.handed_in.to_string(), &format!("报送率 {}", percent_label(c.handed_in_permille())));
    card(&mut out, "按时报送率", "reports.on_time_rate_label", &percent_label(c.on_time_permille()), &format!("按时报送 {}", c.on_time));
    card(&mut out, "逾期未报（本期）", "reports.overdue", &c.count(Standing::Overdue).to_string(), "");
    card(&mut out, "逾期报送（待审核）", "reports.late", &c.count(Standing::Late).to_string(), "");
    card(&mut out, "已审核通过", "reports.accepted", &c.count(Standing::Accepted).to_string(), "");
    card(&mut out, "当期培训人数", "training.total.trainees", &t.total.trainees.to_string(), &change_html(t.trainees_change));
    card(
        &mut out,
        "逾期未报（全部报送期）",
        "overdue.total",
        &o.overdue.total.to_string(),
        &o.overdue.oldest_period.map(|p| format!("最早 {}", esc(&p.label_zh()))).unwrap_or_default(),
    );
    card(&mut out, "禁入期内的单位", "bans.active", &o.bans.active.to_string(), &format!("90天内到期 {}", o.bans.ending_within_90_days));
    card(&mut out, "投递失败的邮件", "mail.dead", &o.mail.dead.to_string(), &format!("待发送 {}", o.mail.pending));
    resource_cards(&mut out, o);
    out.push_str("</div>");

    out.push_str("<div class=\"grid2\">");
    let _ = write!(out, "<section><h2>报送情况（近六期）</h2>{}</section>", svg::compliance(&o.compliance_history));
    let _ = write!(out, "<section><h2>培训人数（近六期）</h2>{}</section>", svg::trainees(&t.trainees_history));
    out.push_str("</div>");

    out.push_str("<div class=\"grid2\"><section><h2>");
    let _ = write!(out, "{}报送状态</h2>", esc(&label));
    table(&mut out, &["状态", "联盟数"]);
    for (s, n) in &c.by_standing {
        row(&mut out, &[esc(s.label_zh()), n.to_string()]);
    }
    row(&mut out, &["应报合计".into(), c.owed.to_string()]);
    out.push_str("</tbody></table></section><section><h2>联盟（按状态、产业领域）</h2>");
    table(&mut out, &["状态", "联盟数"]);
    for (s, n) in &o.alliances.by_status {
        row(&mut out, &[esc(s.label_zh()), n.to_string()]);
    }
    out.push_str("</tbody></table><br>");
    table(&mut out, &["产业领域（已备案、已暂停）", "联盟数"]);
    for (i, n) in &o.alliances.by_industry {
        row(&mut out, &[esc(i), n.to_string()]);
    }
    out.push_str("</tbody></table></section></div>");

    out.push_str("<div class=\"grid2\"><section><h2>成员单位（按单位类型）</h2>");
    table(&mut out, &["单位类型", "成员单位数", "成员关系数"]);
    for (k, units, m) in &o.members.by_kind {
        row(&mut out, &[esc(&k.group_heading()), units.to_string(), m.to_string()]);
    }
    out.push_str("</tbody></table></section><section>");
    let prev = t.previous_period.map(|p| p.label_zh()).unwrap_or_default();
    let _ = write!(out, "<h2>培训情况（附件3，按单位类别）· 本期{} · 上期{}</h2>", esc(&label), esc(&prev));
    table(
        &mut out,
        &["单位类别", "当期培训人数", "上期", "较上期", "高级技师", "技师", "高级工", "中级工", "初级工", "专项职业能力", "普工"],
    );
    for (k, cur, p) in &t.by_category {
        let ch = entities::dashboard::change(cur.trainees, p.trainees);
        let mut cells = vec![esc(&k.group_heading()), cur.trainees.to_string(), p.trainees.to_string(), format!("{:+}", ch.delta)];
        cells.extend(cur.labelled().iter().skip(1).map(|(_, v)| v.to_string()));
        row(&mut out, &cells);
    }
    let mut cells =
        vec!["合计".into(), t.total.trainees.to_string(), t.previous_total.trainees.to_string(), format!("{:+}", t.trainees_change.delta)];
    cells.extend(t.total.labelled().iter().skip(1).map(|(_, v)| v.to_string()));
    row(&mut out, &cells);
    out.push_str("</tbody></table></section></div>");

    out.push_str("<section><h2>培训人数最多的联盟（前十）</h2>");
    table(&mut out, &["联盟名称", "当期培训人数", "上期", "较上期"]);
    for a in &t.top_alliances {
        let ch = entities::dashboard::change(a.current.trainees, a.previous.trainees);
        row(&mut out, &[esc(&a.name), a.current.trainees.to_string(), a.previous.trainees.to_string(), format!("{:+}", ch.delta)]);
    }
    out.push_str("</tbody></table></section>");

    let _ = write!(out, "<section><h2>逾期未报（按报送期由早到晚，前{}条，共{}条）</h2>", overdue.len(), o.overdue.total);
    table(&mut out, &["报送期", "截止日期", "逾期天数", "联盟名称", "发起单位", "联系人", "办公电话", "填报情况"]);
    for it in overdue {
        let url = crate::services::dashboard::export::report_path(it);
        row(
            &mut out,
            &[
                esc(&it.period.label_zh()),
                it.due.to_string(),
                it.days_overdue.to_string(),
                format!("<a href=\"{}\">{}</a>", esc(&url), esc(&it.alliance_name)),
                esc(&it.initiator_name),
                esc(&it.contact_person),
                esc(&it.office_phone),
                if it.started { "填报中" } else { "未开始" }.into(),
            ],
        );
    }
    out.push_str("</tbody></table><p class=\"muted\">联盟名称链接到接口资源（需携带令牌访问）。</p></section>");
    resource_tables(&mut out, o);
    out.push_str("</main></body></html>");
    out
}

/// Cards of the skill-resource sections (keys as in the overview JSON).
fn resource_cards(out: &mut String, o: &Overview) {
    let (a, n, f, r) = (&o.applications, &o.notices, &o.funding, &o.reassessments);
    card(out, &format!("{}年申报", a.year), "applications.total", &a.total.to_string(), &format!("认定公布或立项 {}", a.funnel[3]));
    card(out, "公示中", "notices.open", &n.open.to_string(), &format!("本周（{}至{}）结束 {}", n.week.0, n.week.1, n.ending_this_week));
    card(out, "本周结束的公示", "notices.ending_this_week", &n.ending_this_week.to_string(), "");
    card(out, "待处理异议", "notices.open_objections", &n.open_objections.to_string(), "调查核实中");
    card(out, &format!("{}年经费（元）", f.year), "funding.total.committed", &f.total.committed.to_string(), "已记录的拨付额");
    card(out, "已拨付（元）", "funding.total.disbursed", &f.total.disbursed.to_string(), &format!("已追回 {} 元", f.total.clawed_back));
    card(out, "待复评资源", "reassessments.total", &(r.overdue + r.due_soon).to_string(), &format!("已逾期 {}", r.overdue));
}

/// Tables of the skill-resource sections: the funnel, notices ending this
/// week (linked to the API resource), funding against the fee schedule,
/// reassessments by category.
fn resource_tables(out: &mut String, o: &Overview) {
    let (a, n, f, r) = (&o.applications, &o.notices, &o.funding, &o.reassessments);
    let _ = write!(out, "<div class=\"grid2\"><section><h2>{}年技能资源申报（由申报到认定公布或立项）</h2>", a.year);
    let mut headers = vec!["项目类别"];
    headers.extend(entities::dashboard::FUNNEL_STAGES);
    table(out, &headers);
    for (c, stages) in &a.funnel_by_category {
        let mut cells = vec![esc(c.label_zh())];
        cells.extend(stages.iter().map(ToString::to_string));
        row(out, &cells);
    }
    let mut cells = vec!["合计".to_string()];
    cells.extend(a.funnel.iter().map(ToString::to_string));
    row(out, &cells);
    out.push_str("</tbody></table><br>");
    table(out, &["项目类别", "申报状态", "申报数"]);
    for (c, s, k) in &a.by_status {
        row(out, &[esc(c.label_zh()), esc(s.label_zh()), k.to_string()]);
    }
    let _ = write!(out, "</tbody></table></section><section><h2>本周结束的公示（{}至{}）</h2>", n.week.0, n.week.1);
    table(out, &["公示", "发布时间", "结束时间", "状态", "申报数", "待处理异议"]);
    let beijing = entities::calendar::CHINA_OFFSET;
    for it in &n.ending {
        let url = crate::services::dashboard::resources::notice_path(it.id);
        row(
            out,
            &[
                format!("<a href=\"{}\">{}</a>", esc(&url), esc(&it.title)),
                it.published_at.with_timezone(&beijing).format("%Y-%m-%d %H:%M").to_string(),
                it.ends_at.with_timezone(&beijing).format("%Y-%m-%d %H:%M").to_string(),
                if it.status == entities::resource::NoticeStatus::Open { "公示中" } else { "公示期满" }.into(),
                it.applications.to_string(),
                it.open_objections.to_string(),
            ],
        );
    }
    out.push_str("</tbody></table><p class=\"muted\">公示标题链接到接口资源（需携带令牌访问）。</p></section></div>");

    let version = f.schedule_version.map_or_else(|| "尚无生效的支付标准".to_string(), |v| format!("现行支付标准第{v}版"));
    let _ = write!(out, "<div class=\"grid2\"><section><h2>{}年经费（元，按项目类别）· {}</h2>", f.year, esc(&version));
    table(out, &["项目类别", "笔数", "已记录", "已拨付", "待拨付", "已追回", "应追回"]);
    let money = |label: String, m: &crate::services::dashboard::resources::Money| {
        vec![
            label,
            m.payments.to_string(),
            m.committed.to_string(),
            m.disbursed.to_string(),
            (m.committed - m.disbursed - m.clawed_back).to_string(),
            m.clawed_back.to_string(),
            m.to_recover.to_string(),
        ]
    };
    for (c, m) in &f.by_category {
        row(out, &money(esc(c.label_zh()), m));
    }
    row(out, &money("合计".into(), &f.total));
    out.push_str("</tbody></table><br>");
    table(out, &["支付标准项目（附件2）", "现行单价", "数量", "已记录", "已拨付"]);
    for (item, m, unit) in &f.by_fee_item {
        row(
            out,
            &[
                esc(item.label_zh()),
                unit.map_or_else(|| "—".into(), |u| u.to_string()),
                m.quantity.to_string(),
                m.committed.to_string(),
                m.disbursed.to_string(),
            ],
        );
    }
    let _ = write!(
        out,
        "</tbody></table></section><section><h2>待复评的技能资源（{}天内到期或已逾期）</h2>",
        entities::dashboard::REASSESSMENT_WINDOW_DAYS
    );
    table(out, &["项目类别", "已逾期", "60天内到期"]);
    for (c, od, soon) in &r.by_category {
        row(out, &[esc(c.label_zh()), od.to_string(), soon.to_string()]);
    }
    row(out, &["合计".into(), r.overdue.to_string(), r.due_soon.to_string()]);
    out.push_str("</tbody></table></section></div>");
}

fn registered(o: &Overview) -> u64 {
    o.alliances.by_status.iter().find(|(s, _)| *s == entities::alliance::AllianceStatus::Registered).map_or(0, |(_, n)| *n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(esc("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        assert!(login(Some("用户名或密码错误")).contains("<p class=\"error\" id=\"login-error\">用户名或密码错误</p>"));
    }

    #[test]
    fn changes_read_with_sign_and_percent() {
        assert_eq!(change_html(entities::dashboard::change(150, 100)), "<span class=\"up\">较上期 +50（+50.0%）</span>");
        assert_eq!(change_html(entities::dashboard::change(2, 3)), "<span class=\"down\">较上期 -1（-33.3%）</span>");
    }
}
