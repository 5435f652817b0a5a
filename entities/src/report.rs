//! Half-year reports of registered training alliances (半年度报送): seed 003
//! §二(七) — every half-year the initiator reports the member list, the
//! basic-situation table (附件2) and the progress table (附件3), and at year
//! end a work summary (年终工作总结). DESIGN §5 adds deadlines, member rows
//! filled by each member unit, and bureau review.
//!
//! # Layout
//! - [`period`]: `Period { year, half }` (`2026H1`) and which periods an alliance owes
//! - [`deadline`]: due dates (moved to the next working day), late and overdue days
//! - [`status`]: the report lifecycle and the standing shown to the bureau
//! - [`progress`]: the counts of 附件3 and their consistency
//! - [`confirm`]: "与上期相同" (附件2 only) and "本期无培训活动"
//! - [`totals`]: 合计 and per-category subtotals (一、企业 … 七、其他)
//! - [`sql`]: the same rules as SQL conditions, for lists computed by the database
//! - [`outstanding`]: database reads for reminders — missing member rows and unsubmitted reports

pub mod confirm;
pub mod deadline;
pub mod outstanding;
pub mod period;
pub mod progress;
pub mod sql;
pub mod status;
pub mod totals;

pub use deadline::{Deadline, Deadlines, DueRules, days_until, late_days};
pub use period::{Half, Period, owed_periods};
pub use progress::{ProgressCounts, check_progress_counts};
pub use status::{ReportAction, ReportStatus, ReportTransitionError, Standing, standing, transition};
pub use totals::{RowCounts, Subtotal, Totals, check_row, totals};
