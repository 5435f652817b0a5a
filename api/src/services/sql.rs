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
