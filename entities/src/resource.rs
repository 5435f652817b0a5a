//! Skill resources (技能资源) under seed 000: calls, applications and their
//! lifecycle, eligibility at submission, expert panels and scoring, the 公示
//! notice period, and the published catalogue.
//!
//! # Layout
//! - [`kinds`]: categories (000 第四条), resource kinds, expert types, titles, skill levels
//! - [`status`]: the application lifecycle and its transitions
//! - [`eligibility`]: what submission checks, every failure at once (000 第十条, 十三条, 十九条, 附件1)
//! - [`scoring`]: the five weighted criteria of 附件1 in integer hundredths, panel means as exact rationals
//! - [`panel`]: the seeded, auditable random draw of an expert panel
//! - [`notice`]: the 5-working-day 公示 period (000 第十一条, 十四条, 二十条; DESIGN §7)
//! - [`funding`]: the 附件2 fee schedule, versions in force by date, payment amounts (000 第二十三条)
//! - [`development`]: the development agreement and milestones after 立项 (000 第十五—十七条, 二十条)
//! - [`catalogue`]: next assessment due of a published resource (000 第二十一条)
//! - [`operation`]: usage reports, assessments and reassessment reminders (000 第二十一条)

pub mod catalogue;
pub mod development;
pub mod eligibility;
pub mod funding;
pub mod kinds;
pub mod notice;
pub mod operation;
pub mod panel;
pub mod scoring;
pub mod status;

pub use eligibility::{EligibilityFacts, EligibilityProblem, check_eligibility};
pub use kinds::{
    Category, ExpertType, NoticePurpose, NoticeStatus, ObjectionStatus, PanelMemberStatus, Recommendation, ResourceKind, SkillLevel,
    TeamRole, TitleLevel,
};
pub use status::{ApplicationAction, ApplicationStatus, TransitionError, transition};
