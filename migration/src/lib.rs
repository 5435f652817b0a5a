//! Every schema change of the registry, in order, plus reference data
//! (the official holiday calendar). Migrations are frozen once released: a
//! change is a new migration, never an edit of an old one.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_platform;
mod m20261123_000002_calendar_seed;
mod m20261124_000001_jobs;
mod m20261124_000010_alliances;
mod m20261124_000020_reports;
mod m20261124_000030_outbox_key_order;
mod m20261125_000010_resources;
mod m20261127_000010_fee_schedule;
mod m20261127_000020_payments;
mod m20261127_000030_revocation;
mod m20261128_000010_development;
mod m20261128_000100_operation;
mod m20261128_000200_report_training_totals;
mod m20261128_000300_deferred_mail;
mod m20261130_000100_mail_notifications;
mod m20261201_000100_membership_changes;
mod m20261206_000100_changes_feed;
mod m20261206_000100_web_sessions;
mod m20261206_000110_fidelity_row_progress;
mod m20261206_000120_fidelity_pending_join;
mod m20261206_000200_unknown_login_lockout;
mod m20261206_000310_higher_education;
mod util;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_platform::Migration),
            Box::new(m20261123_000002_calendar_seed::Migration),
            Box::new(m20261124_000001_jobs::Migration),
            Box::new(m20261124_000010_alliances::Migration),
            Box::new(m20261124_000020_reports::Migration),
            Box::new(m20261124_000030_outbox_key_order::Migration),
            Box::new(m20261125_000010_resources::Migration),
            Box::new(m20261127_000010_fee_schedule::Migration),
            Box::new(m20261127_000020_payments::Migration),
            Box::new(m20261127_000030_revocation::Migration),
            Box::new(m20261128_000010_development::Migration),
            Box::new(m20261128_000100_operation::Migration),
            Box::new(m20261128_000200_report_training_totals::Migration),
            Box::new(m20261128_000300_deferred_mail::Migration),
            Box::new(m20261130_000100_mail_notifications::Migration),
            Box::new(m20261201_000100_membership_changes::Migration),
            Box::new(m20261206_000100_web_sessions::Migration),
            Box::new(m20261206_000100_changes_feed::Migration),
            Box::new(m20261206_000110_fidelity_row_progress::Migration),
            Box::new(m20261206_000120_fidelity_pending_join::Migration),
            Box::new(m20261206_000200_unknown_login_lockout::Migration),
            Box::new(m20261206_000310_higher_education::Migration),
        ]
    }
}
