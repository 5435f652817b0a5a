//! Plain SQL for the hot reads (issue 20): where one joined statement replaces
//! several ORM reads, it is written here as text through sea-orm's raw
//! statements, next to the rule it serves, and mapped back into the entities'
//! models with their own `FromQueryResult` (columns aliased with a prefix, as
//! `find_also_related` does). The column lists come from the entities, so a new
//! column is read without touching the statement. Each statement is built once
//! per backend ([`Built`]).

use std::sync::LazyLock;

use sea_orm::{DbBackend, IdenStatic, Iterable};

/// `alias."col" AS "prefixcol", …` for every column of an entity.
#[must_use]
pub fn columns<C: Iterable + IdenStatic>(alias: &str, prefix: &str) -> String {
    C::iter().map(|c| format!("{alias}.\"{name}\" AS \"{prefix}{name}\"", name = c.as_str())).collect::<Vec<_>>().join(", ")
}

/// `alias."col" AS "prefixcol", …` for the named columns.
#[must_use]
pub fn named(alias: &str, prefix: &str, names: &[&str]) -> String {
    names.iter().map(|name| format!("{alias}.\"{name}\" AS \"{prefix}{name}\"")).collect::<Vec<_>>().join(", ")
}

/// What differs between the backends in these statements.
#[derive(Debug, Clone, Copy)]
pub struct Dialect {
    pub postgres: bool,
}

impl Dialect {
    /// The `n`th bind parameter (`$n`; `?n` on SQLite).
    #[must_use]
    pub fn param(self, n: u8) -> String {
        if self.postgres { format!("${n}") } else { format!("?{n}") }
    }

    /// A false boolean literal.
    #[must_use]
    pub fn no(self) -> &'static str {
        if self.postgres { "false" } else { "0" }
    }
}

/// A statement built once per backend from `build`.
pub struct Built {
    postgres: LazyLock<String>,
    sqlite: LazyLock<String>,
}

impl Built {
    #[must_use]
    pub const fn new(postgres: fn() -> String, sqlite: fn() -> String) -> Self {
        Self { postgres: LazyLock::new(postgres), sqlite: LazyLock::new(sqlite) }
    }

    #[must_use]
    pub fn get(&self, backend: DbBackend) -> &str {
        match backend {
            DbBackend::Postgres => &self.postgres,
            _ => &self.sqlite,
        }
    }
}

/// Reads an entity's model from a row by position (issue 20): its columns as
/// [`columns`] lists them, starting at column `at`. Reading by name costs, per
/// column, the prefixed name's allocation and a hash lookup; on the hot reads
/// (50 members × an organisation's 21 columns) that was the largest part of
/// the ORM mapping. The struct literal names every field (a new field fails to
/// compile until it is listed) and `FIELDS` keeps the order, which a test
/// compares with the entity's columns.
macro_rules! positional {
    ($(#[$doc:meta])* $name:ident, $optional:ident, $model:ident, [$($field:ident),+ $(,)?]) => {
        $(#[$doc])*
        pub mod $name {
            use sea_orm::{DbErr, QueryResult};
            use entities::models::$model::Model;

            /// The fields in column order.
            pub const FIELDS: &[&str] = &[$(stringify!($field)),+];

            /// The model whose columns start at `at`.
            ///
            /// # Errors
            /// A column of the wrong type or an unexpected NULL.
            #[allow(unused_assignments)]
            pub fn read(row: &QueryResult, at: usize) -> Result<Model, DbErr> {
                let mut i = at;
                Ok(Model { $($field: { let v = row.try_get_by_index(i)?; i += 1; v }),+ })
            }

            /// [`read`], or `None` when the first column (the key) is NULL (an outer join that found nothing).
            ///
            /// # Errors
            /// As [`read`].
            pub fn $optional(row: &QueryResult, at: usize) -> Result<Option<Model>, DbErr> {
                let key: Option<uuid::Uuid> = row.try_get_by_index(at)?;
                key.map(|_| read(row, at)).transpose()
            }
        }
    };
}

positional!(
    /// `organizations` by position.
    organization_at, read_optional, organization,
    [id, name, credit_code, kind, registered_in_dongguan, independent_legal_person, higher_education, address, postcode, email,
     legal_representative, contact_person, office_phone, mobile, fax, profile, credit_code_verified, version, created_at, updated_at]
);

positional!(
    /// `alliance_members` by position.
    member_at, read_optional, alliance_member,
    [id, alliance_id, organization_id, joined_on, left_on, leave_reason, pending, created_at]
);

positional!(
    /// `report_rows` by position.
    report_row_at, read_optional, report_row,
    [id, report_id, organization_id, org_kind, total_staff, management, title_senior, title_intermediate, title_junior,
     skill_senior_technician, skill_technician, skill_senior_worker, skill_intermediate_worker, skill_junior_worker, skill_special,
     general_workers, trainees, new_occupations, special_abilities, members_joined, trained_senior_technician, trained_technician,
     trained_senior_worker, trained_intermediate_worker, trained_junior_worker, trained_special, trained_general_workers, filled_by,
     filled_by_initiator, confirmed_no_change, copied_from, progress_pending, version, created_at, updated_at]
);

/// The number of columns [`columns`] lists for an entity.
#[must_use]
pub fn count<C: Iterable>() -> usize {
    C::iter().count()
}

#[cfg(test)]
mod tests {
    use entities::models::{alliance_member, organization, report_row};
    use sea_orm::{IdenStatic, Iterable};

    fn names<C: Iterable + IdenStatic>() -> Vec<&'static str> {
        C::iter().map(|c| c.as_str()).collect()
    }

    #[test]
    fn positional_readers_take_the_columns_in_the_entities_order() {
        assert_eq!(super::organization_at::FIELDS, names::<organization::Column>());
        assert_eq!(super::member_at::FIELDS, names::<alliance_member::Column>());
        assert_eq!(super::report_row_at::FIELDS, names::<report_row::Column>());
    }
}
