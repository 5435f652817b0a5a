//! The command line: `serve`, `migrate`, `openapi`, `user create`, `demo`,
//! `jobs list`, `jobs run NAME [--at TIME]`, `mail test --to ADDRESS`,
//! `backup --to FILE`, `restore --from FILE`.

use std::{path::PathBuf, process::ExitCode, sync::Arc};

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use entities::{Role, models::organization};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::{
    config::{LogFormat, Settings},
    demo, services,
    services::accounts::{self, NewUser},
    startup::{self, Application},
};

#[derive(Parser)]
#[command(name = "api", version, about = "东莞市职业培训联盟与技能资源登记服务 — Dongguan skills registry")]
struct Cli {
    /// Configuration file (default: ./registry.toml if present).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP API: applies migrations, creates `admin` on first start, serves /api/v1, /docs, /healthz, /readyz.
    Serve {
        /// Also load the demo data set (idempotent) before serving.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI spec (YAML) to stdout; commit it as openapi/openapi.yaml.
    Openapi,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Load the demo data set (organisations of all seven kinds, users of each role, 20 experts); safe to repeat.
    Demo,
    /// Scheduled jobs.
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// Write a consistent backup (database + documents folder) to FILE (.tar.gz) while the service runs.
    Backup {
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
    /// Restore a backup made by `backup` into an empty database and the documents folder.
    Restore {
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
    },
    /// Outgoing mail.
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
}

#[derive(Subcommand)]
enum JobsCommand {
    /// List the jobs: schedule (Asia/Shanghai), enabled, last run, next fire time.
    List,
    /// Run one job once, exactly as the scheduler would, and print its report.
    Run {
        /// Job name (see `jobs list`).
        name: String,
        /// The time to run at, e.g. 2026-07-31T09:00:00+08:00 (default: now).
        #[arg(long, value_parser = parse_at)]
        at: Option<chrono::DateTime<chrono::Utc>>,
    },
}

#[derive(Subcommand)]
enum MailCommand {
    /// Queue a test message (delivered by the next `mail_delivery` run).
    Test {
        #[arg(long)]
        to: String,
    },
}

fn outcome_name(o: entities::models::job_run::Outcome) -> &'static str {
    use entities::models::job_run::Outcome;
    match o {
        Outcome::Running => "running",
        Outcome::Succeeded => "succeeded",
        Outcome::Failed => "failed",
    }
}

/// RFC 3339 with an offset, seconds optional: `2026-07-31T09:00:00+08:00` or `2026-07-31T09:00+08:00`.
fn parse_at(raw: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(raw)
        .or_else(|_| chrono::DateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M%:z"))
        .map(|t| t.to_utc())
        .map_err(|_| format!("not a time with an offset, e.g. 2026-07-31T09:00:00+08:00 (got `{raw}`)"))
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account and print its one-time password.
    Create {
        /// E-mail address; also the username unless --username is given.
        #[arg(long)]
        email: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Organisation (id or credit code); required for org_user.
        #[arg(long)]
        org: Option<String>,
        #[arg(long)]
        username: Option<String>,
        /// Display name (default: the username).
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
#[value(rename_all = "snake_case")]
enum RoleArg {
    BureauAdmin,
    BureauStaff,
    OrgUser,
    Expert,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Self {
        match r {
            RoleArg::BureauAdmin => Self::BureauAdmin,
            RoleArg::BureauStaff => Self::BureauStaff,
            RoleArg::OrgUser => Self::OrgUser,
            RoleArg::Expert => Self::Expert,
        }
    }
}

/// Entry point of the binary.
#[must_use]
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if matches!(cli.command, Command::Openapi) {
        print!("{}", crate::routes::spec_yaml());
        return ExitCode::SUCCESS;
    }
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    init_tracing(settings.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: starting runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn,sea_orm=warn".into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    let clock: Arc<dyn jobs::Clock> = Arc::new(jobs::SystemClock);
    match command {
        Command::Openapi => unreachable!("handled before the runtime starts"),
        Command::Serve { demo: with_demo } => {
            let started = std::time::Instant::now();
            let app = Application::build(settings, clock).await?;
            print_admin_password(app.admin_password.as_deref());
            if with_demo {
                demo::load(app.state()).await?;
            }
            tracing::info!(port = app.port(), ready_ms = started.elapsed().as_millis() as u64, "listening; Swagger UI at /docs");
            app.run_until_stopped().await.context("serving")?;
        }
        Command::Migrate => {
            startup::connect_and_migrate(&settings).await?;
            println!("migrations applied");
        }
        Command::Demo => {
            let conn = startup::connect_and_migrate(&settings).await?;
            let state = startup::state(settings, conn, clock)?;
            print_admin_password(accounts::ensure_admin(&state).await?.as_deref());
            demo::load(&state).await?;
        }
        Command::User { command: UserCommand::Create { email, role, org, username, name } } => {
            let conn = startup::connect_and_migrate(&settings).await?;
            let state = startup::state(settings, conn, clock)?;
            let organization_id = match org {
                None => None,
                Some(key) => Some(find_org(&state, &key).await?),
            };
            let username = username.unwrap_or_else(|| email.clone());
            let new = NewUser {
                display_name: name.unwrap_or_else(|| username.clone()),
                username,
                email: Some(email),
                role: role.into(),
                organization_id,
                password: None,
            };
            let (user, password) = accounts::create(&state, None, new).await.map_err(|e| anyhow::anyhow!("{}", e.details.title.zh))?;
            println!("created {} ({}) id={}", user.username, user.role.label_zh(), user.id);
            if let Some(pw) = password {
                println!("one-time password (shown once, must be changed at first login): {pw}");
            }
        }
        Command::Jobs { command } => jobs_command(command, settings).await?,
        Command::Backup { to } => {
            let conn = crate::db::connect(&settings.database_url, 2, 0).await?;
            let m = crate::backup::backup(&settings, &conn, &to, jobs::Clock::now(clock.as_ref())).await?;
            println!("backup of the {} database and {} documents written to {}", m.backend, m.documents, to.display());
        }
        Command::Restore { from } => {
            let m = crate::backup::restore(&settings, &from).await?;
            println!(
                "restored the {} backup of {} ({} documents); `serve` applies any newer migrations",
                m.backend, m.created_at, m.documents
            );
        }
        Command::Mail { command: MailCommand::Test { to } } => {
            let email = entities::values::Email::parse("to", &to).map_err(|e| anyhow::anyhow!("--to: {}", e.zh))?;
            let conn = startup::connect_and_migrate(&settings).await?;
            let state = startup::state(settings, conn, clock)?;
            let id = services::mail::send_test(&state, None, Some(email)).await.map_err(|e| anyhow::anyhow!("{}", e.details.title.zh))?;
            println!("queued test message {id} to {to}");
        }
    }
    Ok(())
}

async fn jobs_command(command: JobsCommand, settings: Settings) -> anyhow::Result<()> {
    let at = match &command {
        JobsCommand::Run { name, at } => {
            // Fail before touching the database.
            services::jobs::find(name).map_err(|_| {
                let known: Vec<&str> = jobs::registry::JOBS.iter().map(|j| j.name).collect();
                anyhow::anyhow!("unknown job `{name}` (known: {})", known.join(", "))
            })?;
            *at
        }
        JobsCommand::List => None,
    };
    let clock: Arc<dyn jobs::Clock> = match at {
        Some(at) => Arc::new(jobs::ManualClock::new(at)),
        None => Arc::new(jobs::SystemClock),
    };
    let conn = startup::connect_and_migrate(&settings).await?;
    let state = startup::state(settings, conn, clock)?;
    startup::sync_schedules(&state).await?;
    let shanghai = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&jobs::clock::shanghai()).format("%Y-%m-%d %H:%M:%S%:z").to_string();
    match command {
        JobsCommand::List => {
            for job in services::jobs::list(&state).await.map_err(|e| anyhow::anyhow!("{}", e.details.title.zh))? {
                let last = job.last_run.map_or_else(
                    || "never run".to_string(),
                    |r| {
                        format!(
                            "last {} {}: seen {}, acted {}, failed {}",
                            shanghai(r.started_at),
                            outcome_name(r.outcome),
                            r.seen,
                            r.acted,
                            r.failed
                        )
                    },
                );
                let next = job.next_fire_at.map_or_else(|| "-".to_string(), shanghai);
                let enabled = if job.enabled { "enabled" } else { "disabled" };
                println!("{:<16} {:<16} {:<8} next {next}; {last}  ({})", job.def.name, job.cron, enabled, job.def.title);
            }
        }
        JobsCommand::Run { name, .. } => {
            let run = services::jobs::run_now(&state, None, &name).await.map_err(|e| anyhow::anyhow!("{}", e.details.title.zh))?;
            println!(
                "{name} at {}: {}; seen {}, acted {}, failed {}",
                shanghai(run.started_at),
                outcome_name(run.outcome),
                run.seen,
                run.acted,
                run.failed
            );
            if let Some(error) = run.error {
                anyhow::bail!("{name} failed: {error}");
            }
        }
    }
    Ok(())
}

fn print_admin_password(password: Option<&str>) {
    if let Some(pw) = password {
        println!("首次启动：已创建管理员账户 admin，初始密码（仅显示这一次）：{pw}");
        println!("first start: created account `admin`, one-time password (shown once): {pw}");
    }
}

async fn find_org(state: &crate::state::AppState, key: &str) -> anyhow::Result<uuid::Uuid> {
    let found = if let Ok(id) = key.parse::<uuid::Uuid>() {
        organization::Entity::find_by_id(id).one(&state.db).await?
    } else {
        organization::Entity::find().filter(organization::Column::CreditCode.eq(key)).one(&state.db).await?
    };
    found.map(|o| o.id).with_context(|| format!("no organisation with id or credit code {key}"))
}
