//! The data model and the business rules of the Dongguan skills registry
//! (东莞市职业培训联盟与技能资源登记服务).
//!
//! Nothing in this crate knows about HTTP. Rules are plain functions with
//! unit tests next to them; each cites the article it implements.
//!
//! # Layout
//! - [`values`]: parse-once newtypes (credit code, postcode, email, phone, free text, password policy)
//! - [`alliance`]: training-alliance rules (seed 003): composition, filing, 附件1 counts, lifecycle
//! - [`report`]: half-year reports (seed 003 §二(七), 附件2/附件3): periods, deadlines, lifecycle, totals
//! - [`resource`]: skill resources (seed 000): lifecycle, eligibility, scoring, panel draw, 公示
//! - [`dashboard`]: which reports and periods the bureau's dashboard counts, rates and changes
//! - [`calendar`]: the working-day calendar rule (DESIGN §7)
//! - [`enums`]: roles, organisation kinds and their Chinese labels
//! - [`login`]: the login lock-out (DESIGN §3)
//! - [`models`]: sea-orm entities, one module per table

pub mod alliance;
pub mod calendar;
pub mod chase;
pub mod dashboard;
pub mod enums;
pub mod login;
pub mod models;
pub mod policy;
pub mod report;
pub mod resource;
pub mod sanction;
pub mod values;

pub use enums::{OrgKind, Role, RoundOutcome};
