//! The few SQL spellings that differ between PostgreSQL and SQLite, for jobs
//! that do their work in one set-based statement (a JSON object built per
//! row, a UUID as text, a fresh UUID). Everything else is plain SQL both
//! understand. Values are bound (`param(n)`), never pasted into the text.

use sea_orm::DatabaseBackend;

/// How the connected database spells things.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect(pub DatabaseBackend);

impl Dialect {
    fn pg(self) -> bool {
        self.0 == DatabaseBackend::Postgres
    }

    /// The `n`-th bound value (1-based), reusable in the same statement.
    #[must_use]
    pub fn param(self, n: usize) -> String {
        if self.pg() { format!("${n}") } else { format!("?{n}") }
    }

    /// A UUID column as lower-case hyphenated text (SQLite stores the 16 bytes).
    #[must_use]
    pub fn uuid_text(self, col: &str) -> String {
        if self.pg() {
            format!("({col})::text")
        } else {
            let part = |from: usize, len: usize| format!("substr(hex({col}), {from}, {len})");
            format!(
                "lower({} || '-' || {} || '-' || {} || '-' || {} || '-' || {})",
                part(1, 8),
                part(9, 4),
                part(13, 4),
                part(17, 4),
                part(21, 12)
            )
        }
    }

    /// A new random UUID (version 4) per row.
    #[must_use]
    pub fn new_uuid(self) -> String {
        if self.pg() {
            "gen_random_uuid()".to_string()
        } else {
            // 12 hex digits, the version 4, 3 digits, the variant (8–b), 15 digits.
            "unhex(hex(randomblob(6)) || '4' || substr(hex(randomblob(2)), 2) || substr('89AB', 1 + abs(random() % 4), 1) \
             || substr(hex(randomblob(8)), 2))"
                .to_string()
        }
    }

    /// A JSON object of `(key, SQL expression)` pairs; keys are our own literals.
    #[must_use]
    pub fn object(self, pairs: &[(&str, String)]) -> String {
        let args: Vec<String> = pairs.iter().map(|(k, v)| format!("'{k}', {v}")).collect();
        let f = if self.pg() { "json_build_object" } else { "json_object" };
        format!("{f}({})", args.join(", "))
    }

    /// A JSON array aggregating `expr` over the group, in `order` order.
    #[must_use]
    pub fn array_agg(self, expr: &str, order: &str) -> String {
        if self.pg() { format!("json_agg({expr} ORDER BY {order})") } else { format!("json_group_array({expr} ORDER BY {order})") }
    }

    /// A JSON value read back from a subquery column, so that it nests as
    /// JSON rather than as a string (SQLite loses the JSON mark across a subquery).
    #[must_use]
    pub fn json(self, expr: &str) -> String {
        if self.pg() { format!("({expr})::json") } else { format!("json({expr})") }
    }

    /// A JSON boolean.
    #[must_use]
    pub fn boolean(self, b: bool) -> String {
        match (self.pg(), b) {
            (true, b) => b.to_string(),
            (false, true) => "json('true')".to_string(),
            (false, false) => "json('false')".to_string(),
        }
    }

    /// A JSON value as text, for a text column.
    #[must_use]
    pub fn json_text(self, expr: &str) -> String {
        if self.pg() { format!("({expr})::text") } else { expr.to_string() }
    }

    /// A boolean column compared with `b`.
    #[must_use]
    pub fn is(self, col: &str, b: bool) -> String {
        if self.pg() { format!("{col} = {b}") } else { format!("{col} = {}", i32::from(b)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        let pg = Dialect(DatabaseBackend::Postgres);
        let lite = Dialect(DatabaseBackend::Sqlite);
        assert_eq!(pg.param(3), "$3");
        assert_eq!(lite.param(3), "?3");
        assert_eq!(pg.object(&[("a", "x.a".into())]), "json_build_object('a', x.a)");
        assert_eq!(lite.object(&[("a", "x.a".into()), ("b", "1".into())]), "json_object('a', x.a, 'b', 1)");
        assert_eq!(pg.array_agg("v", "k"), "json_agg(v ORDER BY k)");
        assert_eq!(lite.array_agg("v", "k"), "json_group_array(v ORDER BY k)");
    }
}
