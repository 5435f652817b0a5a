//! Training alliances (职业培训联盟) under seed 003 §二: who may initiate and
//! lead, what the members must include, what a filing needs, the member
//! registration form (附件1), and the filing lifecycle.
//!
//! # Layout
//! - [`status`]: the lifecycle and its transitions
//! - [`composition`]: initiator, lead and member rules (003 §二(一)–(三))
//! - [`filing`]: everything submission checks, all failures at once (003 §二(四)(六))
//! - [`staff`]: the staff counts of 附件1 and 附件2 and their consistency
//! - [`join`]: a join after registration is pending until its form and charter signature are in

pub mod composition;
pub mod filing;
pub mod join;
pub mod staff;
pub mod status;

pub use composition::{CompositionFacts, check_composition};
pub use filing::{FilingFacts, FilingProblem, MemberFacts, check_filing};
pub use staff::{StaffCounts, check_staff_counts};
pub use status::{AllianceAction, AllianceStatus, TransitionError, transition};
