//! `changes`: the feed integrators follow (`GET /api/v1/changes`, issue 18).
//! One row per write to an alliance, a membership, a report's standing, an
//! application's status, a catalogue resource, a notice or a sanction —
//! written by triggers in the writing transaction, so no code path (service,
//! job, SQL by hand) can forget it and it commits or rolls back with the change.
//!
//! `seq` is the order rows were written; `position` is the feed's cursor,
//! given later, in commit order, by the reader (`api::services::changes`):
//! on PostgreSQL a sequence value is taken before commit, so a row with a
//! smaller `seq` can become visible after a larger one — a cursor on `seq`
//! would skip it. Rows get a position only once committed, under a lock, each
//! batch above every earlier one, so a cursor on `position` never skips or repeats.
//!
//! Existing rows are written into the feed as `created` when this migration runs.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(Clone, Copy)]
enum Col {
    Text,
    Uuid,
}

/// A watched table: its feed name, the columns of its public state, and when
/// a change of it is public (`{r}` is the row: NEW, OLD or the backfill alias).
struct Watch {
    table: &'static str,
    entity: &'static str,
    state: &'static [(&'static str, Col)],
    public: &'static str,
}

const REGISTERED: &str = "{r}.status = 'registered'";

const WATCHED: &[Watch] = &[
    Watch {
        table: "alliances",
        entity: "alliance",
        state: &[
            ("status", Col::Text),
            ("name", Col::Text),
            ("industry", Col::Text),
            ("registration_no", Col::Text),
            ("registered_on", Col::Text),
            ("initiator_org_id", Col::Uuid),
            ("lead_org_id", Col::Uuid),
        ],
        // 003 §二: the public directory lists registered alliances; entering and leaving it are public.
        public: REGISTERED,
    },
    Watch {
        table: "alliance_members",
        entity: "alliance_member",
        state: &[("alliance_id", Col::Uuid), ("organization_id", Col::Uuid), ("joined_on", Col::Text), ("left_on", Col::Text)],
        public: "EXISTS (SELECT 1 FROM alliances a WHERE a.id = {r}.alliance_id AND a.status = 'registered')",
    },
    Watch {
        table: "reports",
        entity: "report",
        state: &[
            ("alliance_id", Col::Uuid),
            ("period", Col::Text),
            ("status", Col::Text),
            ("report_due_on", Col::Text),
            ("late_days", Col::Text),
        ],
        public: "FALSE",
    },
    Watch {
        table: "applications",
        entity: "application",
        state: &[
            ("number", Col::Text),
            ("status", Col::Text),
            ("category", Col::Text),
            ("resource_kind", Col::Text),
            ("organization_id", Col::Uuid),
            ("title", Col::Text),
        ],
        public: "FALSE",
    },
    Watch {
        table: "resources",
        entity: "resource",
        state: &[
            ("number", Col::Text),
            ("title", Col::Text),
            ("kind", Col::Text),
            ("category", Col::Text),
            ("publisher_org_id", Col::Uuid),
            ("published_on", Col::Text),
            ("next_assessment_due", Col::Text),
            ("withdrawn_on", Col::Text),
            ("revoked_on", Col::Text),
        ],
        // 000 第十一条(四): the catalogue is public, withdrawals and revocations included.
        public: "TRUE",
    },
    Watch {
        table: "notices",
        entity: "notice",
        state: &[
            ("title", Col::Text),
            ("status", Col::Text),
            ("purpose", Col::Text),
            ("published_at", Col::Text),
            ("ends_at", Col::Text),
            ("closed_at", Col::Text),
        ],
        // 000 第十一条: 公示 is public.
        public: "TRUE",
    },
    Watch {
        table: "sanctions",
        entity: "sanction",
        state: &[
            ("organization_id", Col::Uuid),
            ("credit_code", Col::Text),
            ("kind", Col::Text),
            ("confirmed_on", Col::Text),
            ("ban_until", Col::Text),
            ("ban_ended_at", Col::Text),
        ],
        public: "FALSE",
    },
];

/// SQLite keeps UUIDs as 16-byte blobs: the canonical text form.
fn sqlite_uuid(expr: &str) -> String {
    let h = format!("lower(hex({expr}))");
    format!("substr({h},1,8)||'-'||substr({h},9,4)||'-'||substr({h},13,4)||'-'||substr({h},17,4)||'-'||substr({h},21)")
}

fn state_expr(w: &Watch, row: &str, pg: bool) -> String {
    let pairs: Vec<String> = w
        .state
        .iter()
        .map(|(col, kind)| match (pg, kind) {
            (true, _) => format!("'{col}', {row}.{col}"),
            (false, Col::Text) => format!("'{col}', {row}.{col}"),
            (false, Col::Uuid) => format!("'{col}', {}", sqlite_uuid(&format!("{row}.{col}"))),
        })
        .collect();
    if pg { format!("jsonb_build_object({})::text", pairs.join(", ")) } else { format!("json_object({})", pairs.join(", ")) }
}

fn id_expr(row: &str, pg: bool) -> String {
    if pg { format!("{row}.id::text") } else { sqlite_uuid(&format!("{row}.id")) }
}

fn public_expr(w: &Watch, row: &str) -> String {
    format!("COALESCE(({}), FALSE)", w.public.replace("{r}", row))
}

const NOW_SQLITE: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
const COLUMNS: &str = "INSERT INTO changes (entity, entity_id, action, public, state, changed_at)";

fn postgres_function(w: &Watch) -> String {
    format!(
        "CREATE FUNCTION feed_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE s text; o text;
BEGIN
  IF TG_OP = 'DELETE' THEN
    {COLUMNS} VALUES ('{entity}', {old_id}, 'deleted', {old_public}, NULL, now());
    RETURN NULL;
  END IF;
  s := {new_state};
  IF TG_OP = 'UPDATE' THEN
    o := {old_state};
    IF s = o THEN RETURN NULL; END IF;
    {COLUMNS} VALUES ('{entity}', {new_id}, 'updated', {new_public} OR {old_public}, s, now());
  ELSE
    {COLUMNS} VALUES ('{entity}', {new_id}, 'created', {new_public}, s, now());
  END IF;
  RETURN NULL;
END $$",
        table = w.table,
        entity = w.entity,
        old_id = id_expr("OLD", true),
        new_id = id_expr("NEW", true),
        old_public = public_expr(w, "OLD"),
        new_public = public_expr(w, "NEW"),
        new_state = state_expr(w, "NEW", true),
        old_state = state_expr(w, "OLD", true),
    )
}

fn sqlite_triggers(w: &Watch) -> [String; 3] {
    let t = w.table;
    let e = w.entity;
    let (new_state, old_state) = (state_expr(w, "NEW", false), state_expr(w, "OLD", false));
    [
        format!(
            "CREATE TRIGGER {t}_feed_insert AFTER INSERT ON {t} BEGIN {COLUMNS} VALUES ('{e}', {}, 'created', {}, {new_state}, {NOW_SQLITE}); END",
            id_expr("NEW", false),
            public_expr(w, "NEW")
        ),
        format!(
            "CREATE TRIGGER {t}_feed_update AFTER UPDATE ON {t} WHEN {new_state} IS NOT {old_state} BEGIN {COLUMNS} VALUES ('{e}', {}, 'updated', {} OR {}, {new_state}, {NOW_SQLITE}); END",
            id_expr("NEW", false),
            public_expr(w, "NEW"),
            public_expr(w, "OLD")
        ),
        format!(
            "CREATE TRIGGER {t}_feed_delete AFTER DELETE ON {t} BEGIN {COLUMNS} VALUES ('{e}', {}, 'deleted', {}, NULL, {NOW_SQLITE}); END",
            id_expr("OLD", false),
            public_expr(w, "OLD")
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let pg = manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
        db.execute_unprepared(if pg {
            "CREATE TABLE changes (seq BIGSERIAL PRIMARY KEY, position BIGINT UNIQUE, entity VARCHAR(32) NOT NULL, \
             entity_id VARCHAR(64) NOT NULL, action VARCHAR(16) NOT NULL, public BOOLEAN NOT NULL, state TEXT, changed_at TIMESTAMPTZ NOT NULL)"
        } else {
            "CREATE TABLE changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, position INTEGER UNIQUE, entity VARCHAR(32) NOT NULL, \
             entity_id VARCHAR(64) NOT NULL, action VARCHAR(16) NOT NULL, public BOOLEAN NOT NULL, state TEXT, changed_at TEXT NOT NULL)"
        })
        .await?;
        // Rows still waiting for a position; the public feed by position.
        db.execute_unprepared("CREATE INDEX changes_unpositioned ON changes (seq) WHERE position IS NULL").await?;
        db.execute_unprepared("CREATE INDEX changes_public_position ON changes (public, position)").await?;
        let now = if pg { "now()" } else { NOW_SQLITE };
        for w in WATCHED {
            db.execute_unprepared(&format!(
                "{COLUMNS} SELECT '{}', {}, 'created', {}, {}, {now} FROM {} r ORDER BY r.id",
                w.entity,
                id_expr("r", pg),
                public_expr(w, "r"),
                state_expr(w, "r", pg),
                w.table
            ))
            .await?;
            if pg {
                db.execute_unprepared(&postgres_function(w)).await?;
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER {t}_feed AFTER INSERT OR UPDATE OR DELETE ON {t} FOR EACH ROW EXECUTE FUNCTION feed_{t}()",
                    t = w.table
                ))
                .await?;
            } else {
                for sql in sqlite_triggers(w) {
                    db.execute_unprepared(&sql).await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let pg = manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
        for w in WATCHED {
            let t = w.table;
            if pg {
                db.execute_unprepared(&format!("DROP TRIGGER {t}_feed ON {t}")).await?;
                db.execute_unprepared(&format!("DROP FUNCTION feed_{t}()")).await?;
            } else {
                for op in ["insert", "update", "delete"] {
                    db.execute_unprepared(&format!("DROP TRIGGER {t}_feed_{op}")).await?;
                }
            }
        }
        db.execute_unprepared("DROP TABLE changes").await?;
        Ok(())
    }
}
