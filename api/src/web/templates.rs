//! The page templates (`api/templates/web/*.html`), embedded at compile time
//! and parsed once into one minijinja environment. Names end in `.html`, so
//! every value is HTML-escaped unless a template says otherwise (none does);
//! an undefined variable is an error, not an empty string.

use std::sync::LazyLock;

use minijinja::{Environment, UndefinedBehavior};

macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../templates/web/", $name)))),*]
    };
}

/// Every template; a new page is one line here plus its file.
const TEMPLATES: &[(&str, &str)] = templates!(
    "layout.html",
    "macros.html",
    "message.html",
    "login.html",
    "password.html",
    "tasks.html",
    "alliances.html",
    "alliance_new.html",
    "alliance.html",
    "member_form.html",
    "report.html",
    "row_form.html",
    "review_filings.html",
    "review_reports.html",
    "organizations.html",
    "organization_form.html",
    "dashboard.html",
    "expert_assignments.html",
    "expert_application.html",
    "bureau_calls.html",
    "bureau_call.html",
    "bureau_ranking.html",
    "bureau_application.html",
    "bureau_notices.html",
    "bureau_notice_new.html",
    "bureau_notice.html",
    "bureau_payments.html",
    "bureau_fees.html",
    "bureau_batches.html",
    "bureau_batch.html",
    "bureau_sanctions.html",
    "bureau_resources.html",
    "bureau_resource.html",
    "public_notices.html",
    "public_notice.html",
    "public_receipt.html",
    "public_calls.html",
    "public_resources.html",
    "public_alliances.html",
    "applications.html",
    "application.html",
    "project.html",
    "payments.html",
    "usage.html",
    "work_file.html",
);

static ENV: LazyLock<Result<Environment<'static>, minijinja::Error>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)?;
    }
    Ok(env)
});

/// Renders page `name` with `ctx`.
///
/// # Errors
/// A template that does not parse or fails to render.
pub fn render(name: &str, ctx: &minijinja::Value) -> Result<String, minijinja::Error> {
    let env = ENV.as_ref().map_err(|e| minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, format!("page templates: {e:#}")))?;
    env.get_template(name)?.render(ctx)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_template_parses() {
        if let Err(e) = super::ENV.as_ref() {
            panic!("{e:#}");
        }
    }
}
