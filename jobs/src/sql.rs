//! The few SQL spellings that differ between PostgreSQL and SQLite, for jobs
//! that do their work in one set-based statement (a JSON object built per
//! row, a UUID as text, a fresh UUID). Everything else is plain SQL both
//! understand. Values are bound (`param(n)`), never pasted into the text.

use sea_orm::DatabaseBackend;

/// One of `of` disjoint shares of a job's recipients (`index` from 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Share {
    pub index: u32,
    pub of: u32,
}

impl Share {
    /// Everything, in one share.
    pub const ALL: Self = Self { index: 0, of: 1 };

    /// The `of` shares.
    pub fn all(of: u32) -> impl Iterator<Item = Self> {
        let of = of.max(1);
        (0..of).map(move |index| Self { index, of })
    }
}

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

    /// A new UUID per row, version 7 like `Uuid::now_v7()` in Rust: the
    /// first 48 bits are the time in milliseconds, the rest random. Ids stay
    /// in creation order, which lists ordered by id (notifications, newest
    /// first) rely on. The time is the server's wall clock, as in Rust.
    #[must_use]
    pub fn new_uuid(self) -> String {
        if self.pg() {
            // 12 hex digits of time, the version 7, then a random UUID's digits
            // after its version digit (the variant 8–b among them).
            "(lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0') || '7' \
             || substr(replace(gen_random_uuid()::text, '-', ''), 14))::uuid"
                .to_string()
        } else {
            // 12 hex digits of time, the version 7, 3 digits, the variant (8–b), 15 digits.
            "unhex(printf('%012X', CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)) || '7' \
             || substr(hex(randomblob(2)), 2) || substr('89AB', 1 + abs(random() % 4), 1) || substr(hex(randomblob(8)), 2))"
                .to_string()
        }
    }

    /// How many shares a set-based job splits its recipients into on this
    /// database: `wanted` on PostgreSQL, where each share runs on its own
    /// connection at the same time; 1 on SQLite (one writer at a time).
    #[must_use]
    pub fn shares(self, wanted: u32) -> u32 {
        if self.pg() { wanted.max(1) } else { 1 }
    }

    /// `share` of the rows, by the last byte of the UUID `col` (random in a
    /// version-4 or version-7 id): a condition true for exactly one share.
    #[must_use]
    pub fn in_share(self, col: &str, share: Share) -> String {
        if share.of <= 1 {
            "1 = 1".to_string()
        } else if self.pg() {
            format!("get_byte(uuid_send({col}), 15) % {} = {}", share.of, share.index)
        } else {
            format!(
                "(instr('0123456789ABCDEF', substr(hex({col}), 31, 1)) * 16 + instr('0123456789ABCDEF', substr(hex({col}), 32, 1)) - 17) % {} = {}",
                share.of, share.index
            )
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

    /// A JSON boolean from an SQL condition (SQLite has no boolean type: its
    /// conditions are 0 or 1).
    #[must_use]
    pub fn json_bool(self, condition: &str) -> String {
        if self.pg() { format!("({condition})") } else { format!("json(CASE WHEN {condition} THEN 'true' ELSE 'false' END)") }
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
        assert_eq!(pg.in_share("u.id", Share::ALL), "1 = 1");
        assert_eq!(pg.in_share("u.id", Share { index: 1, of: 2 }), "get_byte(uuid_send(u.id), 15) % 2 = 1");
        assert_eq!(pg.json_bool("x IS NULL"), "(x IS NULL)");
        assert_eq!(lite.json_bool("x IS NULL"), "json(CASE WHEN x IS NULL THEN 'true' ELSE 'false' END)");
        assert_eq!(lite.shares(4), 1);
        assert_eq!(pg.shares(0), 1);
        assert_eq!(Share::all(3).map(|s| s.index).collect::<Vec<_>>(), [0, 1, 2]);
    }
}
