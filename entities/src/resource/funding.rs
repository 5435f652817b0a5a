//! Funding (经费拨付, 000 第二十三条, 附件2): the fee schedule is versioned
//! data with effective dates; a payment is the amount of the schedule version
//! in force on the publication date, times the quantity delivered.

use chrono::NaiveDate;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use super::ResourceKind;

/// The seven lines of 附件2 (000 第二十三条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "snake_case")]
pub enum FeeItem {
    /// 编写并出版技能培训教材（纸质书籍）, per book
    #[sea_orm(string_value = "printed_textbook")]
    PrintedTextbook,
    /// 编写并出版技能培训教材（电子书籍）, per book
    #[sea_orm(string_value = "e_textbook")]
    ETextbook,
    /// 认定技能培训课程, each
    #[sea_orm(string_value = "certified_course")]
    CertifiedCourse,
    /// 认定或购买线上课程, each
    #[sea_orm(string_value = "online_course")]
    OnlineCourse,
    /// 开发行业企业评价规范, each
    #[sea_orm(string_value = "evaluation_specification")]
    EvaluationSpecification,
    /// 开发技能人才评价公共理论题库, per level
    #[sea_orm(string_value = "theory_question_bank_level")]
    TheoryQuestionBankLevel,
    /// 开发工学一体化案例课程, each
    #[sea_orm(string_value = "integrated_case_course")]
    IntegratedCaseCourse,
}

impl FeeItem {
    pub const ALL: [Self; 7] = [
        Self::PrintedTextbook,
        Self::ETextbook,
        Self::CertifiedCourse,
        Self::OnlineCourse,
        Self::EvaluationSpecification,
        Self::TheoryQuestionBankLevel,
        Self::IntegratedCaseCourse,
    ];

    /// The line of 附件2 paying for a resource kind. Course standards and
    /// new-occupation proposals have no line (附件2 lists none): no payment.
    #[must_use]
    pub fn for_kind(kind: ResourceKind) -> Option<Self> {
        use ResourceKind as K;
        match kind {
            K::PrintedTextbook => Some(Self::PrintedTextbook),
            K::ETextbook => Some(Self::ETextbook),
            K::TrainingCourse => Some(Self::CertifiedCourse),
            K::OnlineCourse => Some(Self::OnlineCourse),
            K::EvaluationSpecification => Some(Self::EvaluationSpecification),
            K::TheoryQuestionBank => Some(Self::TheoryQuestionBankLevel),
            K::IntegratedCaseCourse => Some(Self::IntegratedCaseCourse),
            K::CourseStandard | K::NewOccupationProposal => None,
        }
    }

    #[must_use]
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::PrintedTextbook => "编写并出版技能培训教材（纸质书籍，元/本）",
            Self::ETextbook => "编写并出版技能培训教材（电子书籍，元/本）",
            Self::CertifiedCourse => "认定技能培训课程（元/个）",
            Self::OnlineCourse => "认定或购买线上课程（元/门）",
            Self::EvaluationSpecification => "开发行业企业评价规范（元/个）",
            Self::TheoryQuestionBankLevel => "开发技能人才评价公共理论题库（元/等级）",
            Self::IntegratedCaseCourse => "开发工学一体化案例课程（元/个）",
        }
    }

    /// The stored and API code, e.g. `certified_course`.
    #[must_use]
    pub fn code(self) -> String {
        self.to_value()
    }
}

/// Where a payment stands: committed on publication, then disbursed by the
/// bureau (000 第二十三条 "拨付经费").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// 待拨付
    #[sea_orm(string_value = "committed")]
    Committed,
    /// 已拨付
    #[sea_orm(string_value = "disbursed")]
    Disbursed,
    /// 追回: the certification was revoked for fraud (000 第二十二条 第二款).
    #[sea_orm(string_value = "clawed_back")]
    ClawedBack,
}

impl PaymentStatus {
    #[must_use]
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Committed => "待拨付",
            Self::Disbursed => "已拨付",
            Self::ClawedBack => "已追回",
        }
    }

    /// What must be recovered when the project is revoked for fraud ("追回已发放的资金",
    /// 000 第二十二条 第二款): the amount paid out; nothing if it was not yet disbursed
    /// (the commitment is cancelled). None: already clawed back.
    #[must_use]
    pub fn clawback_amount(self, amount: i64) -> Option<i64> {
        match self {
            Self::Committed => Some(0),
            Self::Disbursed => Some(amount),
            Self::ClawedBack => None,
        }
    }

    /// Only a committed payment can be disbursed, once.
    #[must_use]
    pub fn can_disburse(self) -> bool {
        self == Self::Committed
    }
}

/// Amounts of one schedule version, integer yuan per unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeAmounts {
    pub printed_textbook: i64,
    pub e_textbook: i64,
    pub certified_course: i64,
    pub online_course: i64,
    pub evaluation_specification: i64,
    pub theory_question_bank_level: i64,
    pub integrated_case_course: i64,
}

impl FeeAmounts {
    /// 附件2 as issued with seed 000.
    pub const ANNEX_2: Self = Self {
        printed_textbook: 50_000,
        e_textbook: 20_000,
        certified_course: 15_000,
        online_course: 10_000,
        evaluation_specification: 50_000,
        theory_question_bank_level: 15_000,
        integrated_case_course: 15_000,
    };

    #[must_use]
    pub fn amount(&self, item: FeeItem) -> i64 {
        match item {
            FeeItem::PrintedTextbook => self.printed_textbook,
            FeeItem::ETextbook => self.e_textbook,
            FeeItem::CertifiedCourse => self.certified_course,
            FeeItem::OnlineCourse => self.online_course,
            FeeItem::EvaluationSpecification => self.evaluation_specification,
            FeeItem::TheoryQuestionBankLevel => self.theory_question_bank_level,
            FeeItem::IntegratedCaseCourse => self.integrated_case_course,
        }
    }
}

/// Why a new schedule version is refused: (field, code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeProblem {
    pub field: &'static str,
    pub code: &'static str,
}

/// A new version takes effect today or later (the bureau adjusts the standard
/// going forward, 000 第二十三条 第二款: payments already computed keep the
/// version they state), and every amount is a positive number of yuan.
#[must_use]
pub fn check_new_version(effective_from: NaiveDate, today: NaiveDate, a: &FeeAmounts) -> Vec<FeeProblem> {
    let mut out = Vec::new();
    if effective_from < today {
        out.push(FeeProblem { field: "effective_from", code: "effective_date_in_past" });
    }
    for item in FeeItem::ALL {
        if a.amount(item) <= 0 {
            out.push(FeeProblem { field: field_of(item), code: "amount_not_positive" });
        }
    }
    out
}

/// The body field carrying an item's amount.
#[must_use]
pub fn field_of(item: FeeItem) -> &'static str {
    match item {
        FeeItem::PrintedTextbook => "printed_textbook",
        FeeItem::ETextbook => "e_textbook",
        FeeItem::CertifiedCourse => "certified_course",
        FeeItem::OnlineCourse => "online_course",
        FeeItem::EvaluationSpecification => "evaluation_specification",
        FeeItem::TheoryQuestionBankLevel => "theory_question_bank_level",
        FeeItem::IntegratedCaseCourse => "integrated_case_course",
    }
}

/// The version in force on `date`: the latest `effective_from` on or before
/// it; between two versions effective the same day, the higher version number.
/// `versions` are `(version, effective_from, value)` in any order.
#[must_use]
pub fn in_force<T>(versions: &[(i32, NaiveDate, T)], date: NaiveDate) -> Option<&T> {
    versions.iter().filter(|(_, from, _)| *from <= date).max_by_key(|(v, from, _)| (*from, *v)).map(|(_, _, t)| t)
}

/// How many units an application delivers: a question bank is paid per level
/// (附件2 row 5, "1.5万元/等级"), everything else one unit per project.
#[must_use]
pub fn quantity(kind: ResourceKind, levels: usize) -> i64 {
    match kind {
        ResourceKind::TheoryQuestionBank => i64::try_from(levels.max(1)).unwrap_or(i64::MAX),
        _ => 1,
    }
}

/// `unit × quantity`, `None` on overflow.
#[must_use]
pub fn payment_amount(a: &FeeAmounts, item: FeeItem, quantity: i64) -> Option<i64> {
    a.amount(item).checked_mul(quantity)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn annex_2_amounts() {
        // 000 附件2
        let a = FeeAmounts::ANNEX_2;
        assert_eq!(a.amount(FeeItem::for_kind(ResourceKind::PrintedTextbook).unwrap()), 50_000);
        assert_eq!(a.amount(FeeItem::for_kind(ResourceKind::ETextbook).unwrap()), 20_000);
        assert_eq!(a.amount(FeeItem::for_kind(ResourceKind::TrainingCourse).unwrap()), 15_000);
        assert_eq!(a.amount(FeeItem::for_kind(ResourceKind::OnlineCourse).unwrap()), 10_000);
        assert_eq!(a.amount(FeeItem::for_kind(ResourceKind::EvaluationSpecification).unwrap()), 50_000);
        assert_eq!(a.amount(FeeItem::for_kind(ResourceKind::TheoryQuestionBank).unwrap()), 15_000);
        assert_eq!(a.amount(FeeItem::for_kind(ResourceKind::IntegratedCaseCourse).unwrap()), 15_000);
        assert_eq!(FeeItem::for_kind(ResourceKind::CourseStandard), None);
    }

    #[test]
    fn version_in_force_on_a_date() {
        // 000 第二十三条 第二款: the standard is adjusted from a date on.
        let v = [(1, d(2025, 1, 1), "v1"), (3, d(2027, 1, 1), "v3"), (2, d(2027, 1, 1), "v2")];
        assert_eq!(in_force(&v, d(2024, 12, 31)), None);
        assert_eq!(in_force(&v, d(2025, 1, 1)), Some(&"v1"));
        assert_eq!(in_force(&v, d(2026, 12, 31)), Some(&"v1"));
        assert_eq!(in_force(&v, d(2027, 1, 1)), Some(&"v3"));
    }

    #[test]
    fn new_version_checks() {
        let today = d(2026, 11, 23);
        assert!(check_new_version(today, today, &FeeAmounts::ANNEX_2).is_empty());
        let mut a = FeeAmounts::ANNEX_2;
        a.online_course = 0;
        a.e_textbook = -1;
        let p = check_new_version(d(2026, 11, 22), today, &a);
        let codes: Vec<_> = p.iter().map(|p| (p.field, p.code)).collect();
        assert_eq!(
            codes,
            [("effective_from", "effective_date_in_past"), ("e_textbook", "amount_not_positive"), ("online_course", "amount_not_positive")]
        );
    }

    #[test]
    fn disbursed_once() {
        // 000 第二十三条: funds are paid once per published project.
        assert!(PaymentStatus::Committed.can_disburse());
        assert!(!PaymentStatus::Disbursed.can_disburse());
        assert!(!PaymentStatus::ClawedBack.can_disburse());
    }

    #[test]
    fn clawback_recovers_what_was_paid() {
        // 000 第二十二条 第二款: 追回已发放的资金.
        assert_eq!(PaymentStatus::Disbursed.clawback_amount(10_000), Some(10_000));
        assert_eq!(PaymentStatus::Committed.clawback_amount(10_000), Some(0));
        assert_eq!(PaymentStatus::ClawedBack.clawback_amount(10_000), None);
    }

    #[test]
    fn quantity_and_amount() {
        // 附件2 row 5: per level.
        assert_eq!(quantity(ResourceKind::TheoryQuestionBank, 2), 2);
        assert_eq!(quantity(ResourceKind::TheoryQuestionBank, 0), 1);
        assert_eq!(quantity(ResourceKind::OnlineCourse, 3), 1);
        assert_eq!(payment_amount(&FeeAmounts::ANNEX_2, FeeItem::TheoryQuestionBankLevel, 2), Some(30_000));
        assert_eq!(payment_amount(&FeeAmounts::ANNEX_2, FeeItem::PrintedTextbook, i64::MAX), None);
    }
}
