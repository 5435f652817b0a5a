//! Where a unit that owes a half-year row or report is reminded, in SQL
//! (`entities::chase::reach` is the rule; issue 16 item 4): through its
//! active `org_user` accounts with an e-mail, else at the unit's own address
//! — the organisation record's e-mail, else its latest 附件1 form's — else
//! nowhere, and the bureau's weekly digest lists it. The chase's and the
//! digest's set-based statements share these spellings, so the two cannot
//! disagree on who was reachable.

use entities::Role;

use crate::sql::Dialect;

/// True when the organisation `org` (an SQL expression) has an account the
/// chase writes to: an active `org_user` with an e-mail (the same condition
/// as the chase's own recipients).
#[must_use]
pub fn has_account_address(d: Dialect, org: &str) -> String {
    let role = sea_orm::ActiveEnum::to_value(&Role::OrgUser);
    format!(
        "EXISTS (SELECT 1 FROM users acc WHERE acc.organization_id = {org} AND acc.role = '{role}' AND {active} AND acc.email IS NOT NULL)",
        active = d.is("acc.disabled", false),
    )
}

/// The unit's own address for the organisation row `org` (an alias of
/// `organizations`): its record's e-mail, else the e-mail of its latest
/// 附件1 form (any alliance), else NULL.
#[must_use]
pub fn unit_address(org: &str) -> String {
    format!(
        "COALESCE(NULLIF(TRIM({org}.email), ''), \
         (SELECT TRIM(f.email) FROM member_forms f WHERE f.organization_id = {org}.id AND TRIM(f.email) <> '' \
          ORDER BY f.updated_at DESC, f.id DESC LIMIT 1))"
    )
}

#[cfg(test)]
mod tests {
    use sea_orm::DatabaseBackend;

    use super::*;

    #[test]
    fn spellings() {
        let pg = has_account_address(Dialect(DatabaseBackend::Postgres), "o.id");
        assert!(pg.contains("acc.organization_id = o.id AND acc.role = 'org_user' AND acc.disabled = false"), "{pg}");
        let lite = has_account_address(Dialect(DatabaseBackend::Sqlite), "o.id");
        assert!(lite.contains("acc.disabled = 0"), "{lite}");
        assert!(unit_address("org").starts_with("COALESCE(NULLIF(TRIM(org.email), '')"));
    }
}
