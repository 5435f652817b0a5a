//! Development projects after 立项 (000 第十四—十七条, 第二十条; DESIGN §6
//! "Development path"): the development agreement and its due date, the
//! ordered milestones of a category-4 project and the progress reports and
//! acceptance review of a category-5 one, each checked here without a
//! database. Every rule answers all of its failures at once.
//!
//! # Layout
//! - [`MilestoneKind`] and [`next_allowed`]: the order of milestones per resource kind
//! - [`check_agreement`]: signed date, due date 6–12 months later, deliverables (第十七条)
//! - [`check_writing_group`], [`check_initial_review`], [`check_final_review`]: 第十六条(一)(三)(五)
//! - [`check_question_bank`]: item counts per level (第十五条(二))

use chrono::{Months, NaiveDate};
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use super::{ExpertType, ResourceKind};

/// 000 第十七条: 开发周期一般为6至12个月.
pub const MIN_MONTHS: u32 = 6;
pub const MAX_MONTHS: u32 = 12;
/// 000 第十六条(一): 编写专家组由不少于5人组成.
pub const MIN_WRITING_GROUP: usize = 5;
/// 000 第十五条(二): theory items per level (一般不少于1000道) and practical items (应不少于30道).
pub const MIN_THEORY_ITEMS: i64 = 1000;
pub const MIN_PRACTICAL_ITEMS: i64 = 30;
/// A deliverable line counts at most this many units (a question bank has a
/// handful of levels); it keeps sums and payments far from overflow.
pub const MAX_QUANTITY: i64 = 100;
/// 000 第十六条(四): 征求意见期限为10个工作日.
pub const COMMENT_WORKING_DAYS: u32 = 10;

/// One step of a development project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "snake_case")]
pub enum MilestoneKind {
    /// 组建编写专家组 (第十六条(一))
    #[sea_orm(string_value = "writing_group")]
    WritingGroup,
    /// 召开启动会 (第十六条(二))
    #[sea_orm(string_value = "kickoff")]
    Kickoff,
    /// 初审 (第十六条(三))
    #[sea_orm(string_value = "initial_review")]
    InitialReview,
    /// 征求意见, evaluation specifications only (第十六条(四))
    #[sea_orm(string_value = "comment_period")]
    CommentPeriod,
    /// 终审 (第十六条(五))
    #[sea_orm(string_value = "final_review")]
    FinalReview,
    /// 报批 (第十六条(六))
    #[sea_orm(string_value = "submission")]
    Submission,
    /// 审定: published or ingested (第十六条(七))
    #[sea_orm(string_value = "approval")]
    Approval,
    /// 指导开发: a progress report of a 技研项目 (第二十条(五)), any number
    #[sea_orm(string_value = "progress_report")]
    ProgressReport,
    /// 验收结题 by a panel (第二十条(六))
    #[sea_orm(string_value = "acceptance_review")]
    AcceptanceReview,
}

impl MilestoneKind {
    #[must_use]
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::WritingGroup => "组建编写专家组",
            Self::Kickoff => "召开启动会",
            Self::InitialReview => "初审",
            Self::CommentPeriod => "征求意见",
            Self::FinalReview => "终审",
            Self::Submission => "报批",
            Self::Approval => "审定",
            Self::ProgressReport => "开发进度报告",
            Self::AcceptanceReview => "验收评审",
        }
    }

    /// The stored and API code.
    #[must_use]
    pub fn code(self) -> String {
        self.to_value()
    }

    /// Steps the developer (the applicant's org_user) records itself; the
    /// rest are meetings and decisions of the 市人力资源服务中心 / bureau.
    #[must_use]
    pub fn by_developer(self) -> bool {
        matches!(self, Self::WritingGroup | Self::Submission | Self::ProgressReport)
    }

    /// The status a project must have for this milestone to be recorded:
    /// 审定 comes after 报批 (000 第十六条(七)); every other step is taken
    /// during development.
    #[must_use]
    pub fn recorded_in(self) -> super::ApplicationStatus {
        if self == Self::Approval { super::ApplicationStatus::AwaitingPublication } else { super::ApplicationStatus::InDevelopment }
    }
}

/// The fixed order of milestones of a category-4 project (000 第十六条): the
/// comment period only for an evaluation specification.
#[must_use]
pub fn sequence(kind: ResourceKind) -> Vec<MilestoneKind> {
    use MilestoneKind as M;
    match kind {
        ResourceKind::EvaluationSpecification => {
            vec![M::WritingGroup, M::Kickoff, M::InitialReview, M::CommentPeriod, M::FinalReview, M::Submission, M::Approval]
        }
        ResourceKind::TheoryQuestionBank => vec![M::WritingGroup, M::Kickoff, M::InitialReview, M::FinalReview, M::Submission, M::Approval],
        // 000 第二十条(五)(六): progress reports, then the acceptance review.
        ResourceKind::IntegratedCaseCourse => vec![M::ProgressReport, M::AcceptanceReview],
        _ => Vec::new(),
    }
}

/// Why a milestone cannot be recorded now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderError {
    /// Not a step of this kind of project.
    NotApplicable,
    /// Out of order: the step expected next.
    OutOfOrder { expected: Option<MilestoneKind> },
}

/// Whether `next` may be recorded after `done` (in recording order).
/// Category 4: each step once, in [`sequence`] order. Category 5: progress
/// reports repeat; the acceptance review needs at least one report and may be
/// held again after a failed one (`passed` tells which were passed).
///
/// # Errors
/// [`OrderError`] naming the step expected next.
pub fn next_allowed(kind: ResourceKind, done: &[MilestoneKind], next: MilestoneKind) -> Result<(), OrderError> {
    let seq = sequence(kind);
    if !seq.contains(&next) {
        return Err(OrderError::NotApplicable);
    }
    if kind == ResourceKind::IntegratedCaseCourse {
        return match next {
            MilestoneKind::AcceptanceReview if !done.contains(&MilestoneKind::ProgressReport) => {
                Err(OrderError::OutOfOrder { expected: Some(MilestoneKind::ProgressReport) })
            }
            _ => Ok(()),
        };
    }
    let expected = seq.get(done.len()).copied();
    if expected == Some(next) && done.iter().zip(&seq).all(|(a, b)| a == b) { Ok(()) } else { Err(OrderError::OutOfOrder { expected }) }
}

/// A named rule failure: (code, field, Chinese message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleFailure {
    pub code: &'static str,
    pub field: String,
    pub zh: String,
}

impl RuleFailure {
    fn new(code: &'static str, field: impl Into<String>, zh: impl Into<String>) -> Self {
        Self { code, field: field.into(), zh: zh.into() }
    }
}

/// One agreed deliverable: the resource kind and how many (a question bank
/// counts levels, 附件2 "元/等级").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deliverable {
    pub kind: ResourceKind,
    pub quantity: i64,
    #[serde(default)]
    pub description: String,
}

/// 000 第十四条(四), 第十七条: the agreement is signed (not in the future),
/// due 6 to 12 months after signing (both ends included), and lists at least
/// one deliverable, each of the project's kind and a positive quantity.
#[must_use]
pub fn check_agreement(
    project_kind: ResourceKind,
    signed_on: NaiveDate,
    due_on: NaiveDate,
    deliverables: &[Deliverable],
    today: NaiveDate,
) -> Vec<RuleFailure> {
    let mut out = Vec::new();
    if signed_on > today {
        out.push(RuleFailure::new("signed_on_in_future", "signed_on", "签订日期不能晚于今天"));
    }
    let earliest = signed_on.checked_add_months(Months::new(MIN_MONTHS));
    let latest = signed_on.checked_add_months(Months::new(MAX_MONTHS));
    if !matches!((earliest, latest), (Some(e), Some(l)) if e <= due_on && due_on <= l) {
        out.push(RuleFailure::new(
            "due_date_out_of_range",
            "due_on",
            format!(
                "开发周期须为6至12个月：完成期限应在{}至{}之间",
                earliest.map(|d| d.to_string()).unwrap_or_default(),
                latest.map(|d| d.to_string()).unwrap_or_default()
            ),
        ));
    }
    if deliverables.is_empty() {
        out.push(RuleFailure::new("deliverables_missing", "deliverables", "须列明开发成果及数量"));
    }
    for (i, d) in deliverables.iter().enumerate() {
        if d.kind != project_kind {
            out.push(RuleFailure::new(
                "deliverable_kind_mismatch",
                format!("deliverables[{i}].kind"),
                format!("开发成果须为本项目的“{}”", project_kind.label_zh()),
            ));
        }
        if d.quantity < 1 {
            out.push(RuleFailure::new("deliverable_quantity_not_positive", format!("deliverables[{i}].quantity"), "数量须为正整数"));
        } else if d.quantity > MAX_QUANTITY {
            out.push(RuleFailure::new("deliverable_quantity_too_large", format!("deliverables[{i}].quantity"), "数量不能超过100"));
        }
    }
    out
}

/// A person named in a milestone. People are matched across milestones by
/// their trimmed name (the writing group and the review panels are lists of
/// names in the minutes, not pool accounts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub name: String,
    #[serde(default)]
    pub expert_type: Option<ExpertType>,
    #[serde(default)]
    pub leader: bool,
    #[serde(default)]
    pub main_writer: bool,
}

impl Person {
    #[must_use]
    pub fn key(&self) -> &str {
        self.name.trim()
    }
}

/// 000 第十六条(一): at least 5 people of the three types, practical experts
/// more than half, exactly one leader (组长) and one main writer (主笔人).
#[must_use]
pub fn check_writing_group(people: &[Person]) -> Vec<RuleFailure> {
    let mut out = Vec::new();
    let n = people.len();
    if n < MIN_WRITING_GROUP {
        out.push(RuleFailure::new("writing_group_too_small", "people", format!("编写专家组不少于5人（现为{n}人）")));
    }
    for (i, p) in people.iter().enumerate() {
        if p.expert_type.is_none() {
            out.push(RuleFailure::new(
                "expert_type_missing",
                format!("people[{i}].expert_type"),
                format!("须注明“{}”为方法专家、内容专家或实际工作专家", p.key()),
            ));
        }
    }
    let practical = people.iter().filter(|p| p.expert_type == Some(ExpertType::Practical)).count();
    if practical * 2 <= n {
        out.push(RuleFailure::new(
            "practical_experts_not_majority",
            "people",
            format!("实际工作专家应占编写专家组总人数的一半以上（现为{practical}/{n}）"),
        ));
    }
    let leaders = people.iter().filter(|p| p.leader).count();
    if leaders != 1 {
        out.push(RuleFailure::new("leader_missing", "people", format!("编写专家组应确定一名组长（现为{leaders}名）")));
    }
    let writers = people.iter().filter(|p| p.main_writer).count();
    if writers != 1 {
        out.push(RuleFailure::new("main_writer_missing", "people", format!("编写专家组应确定一名主笔人（现为{writers}名）")));
    }
    out
}

fn in_group<'a>(reviewers: &'a [Person], group: &[Person]) -> Vec<&'a str> {
    reviewers.iter().map(Person::key).filter(|r| group.iter().any(|g| g.key() == *r)).collect()
}

fn reviewers_present(reviewers: &[Person]) -> Option<RuleFailure> {
    reviewers.is_empty().then(|| RuleFailure::new("reviewers_missing", "people", "须列明评审专家"))
}

/// 000 第十六条(三): 初审会由编写专家组以外的专家对评价资源进行评审.
#[must_use]
pub fn check_initial_review(reviewers: &[Person], writing_group: &[Person]) -> Vec<RuleFailure> {
    let mut out: Vec<RuleFailure> = reviewers_present(reviewers).into_iter().collect();
    let inside = in_group(reviewers, writing_group);
    if !inside.is_empty() {
        out.push(RuleFailure::new(
            "reviewer_in_writing_group",
            "people",
            format!("评审专家须为编写专家组以外的专家：{}", inside.join("、")),
        ));
    }
    out
}

/// 000 第十六条(五): 终审会由编写专家组以外的专家且初审专家比例不超过50%的人员组成.
#[must_use]
pub fn check_final_review(reviewers: &[Person], writing_group: &[Person], initial: &[Person]) -> Vec<RuleFailure> {
    let mut out = check_initial_review(reviewers, writing_group);
    let again = in_group(reviewers, initial);
    if again.len() * 2 > reviewers.len() {
        out.push(RuleFailure::new(
            "final_review_overlap_over_half",
            "people",
            format!("终审专家中初审专家比例不得超过50%（现为{}/{}：{}）", again.len(), reviewers.len(), again.join("、")),
        ));
    }
    out
}

/// Item counts of one level of a question bank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelItems {
    pub level: String,
    pub theory: i64,
    pub practical: i64,
}

/// 000 第十五条(二): per occupation and level at least 1,000 theory and 30
/// practical items; the levels delivered are the agreed quantity, each named once.
#[must_use]
pub fn check_question_bank(levels: &[LevelItems], agreed_levels: i64) -> Vec<RuleFailure> {
    let mut out = Vec::new();
    let mut names: Vec<&str> = levels.iter().map(|l| l.level.trim()).collect();
    names.sort_unstable();
    names.dedup();
    if i64::try_from(names.len()).unwrap_or(i64::MAX) != agreed_levels || names.len() != levels.len() {
        out.push(RuleFailure::new(
            "question_bank_levels_mismatch",
            "item_counts",
            format!("题库等级须与协议一致：协议{agreed_levels}个等级，报批{}个（不得重复）", levels.len()),
        ));
    }
    for (i, l) in levels.iter().enumerate() {
        if l.theory < MIN_THEORY_ITEMS || l.practical < MIN_PRACTICAL_ITEMS {
            out.push(RuleFailure::new(
                "question_bank_too_small",
                format!("item_counts[{i}]"),
                format!(
                    "“{}”题库理论知识题不少于1000道、操作技能题不少于30道（现为理论{}道、操作{}道）",
                    l.level.trim(),
                    l.theory,
                    l.practical
                ),
            ));
        }
    }
    out
}

/// 000 第二十条(六): the acceptance review names its panel and its outcome.
#[must_use]
pub fn check_acceptance_review(panel: &[Person], passed: Option<bool>) -> Vec<RuleFailure> {
    let mut out = Vec::new();
    if panel.is_empty() {
        out.push(RuleFailure::new("reviewers_missing", "people", "须列明验收专家评审组成员"));
    }
    if passed.is_none() {
        out.push(RuleFailure::new("outcome_missing", "passed", "须注明验收是否通过"));
    }
    out
}

/// 000 第二十条(五): a progress report carries a document or a written account.
#[must_use]
pub fn check_progress_report(has_documents: bool, note: &str) -> Vec<RuleFailure> {
    if has_documents || !note.trim().is_empty() {
        Vec::new()
    } else {
        vec![RuleFailure::new("progress_report_empty", "documents", "进度报告须附文件或填写说明")]
    }
}

/// Days between reminders once a development is overdue.
pub const OVERDUE_REPEAT_DAYS: i64 = 30;

/// The overdue stage of an agreement due on `due_on` (DESIGN §8 validity;
/// 000 第十七条 the agreed period): none up to the due date itself; stage 1
/// from the day after it, then a new stage every 30 days (day 31 → 2, day 61
/// → 3, …). Each stage is told once; a run that missed a stage tells only
/// the current one.
#[must_use]
pub fn overdue_stage(due_on: NaiveDate, today: NaiveDate) -> Option<i32> {
    let days = (today - due_on).num_days();
    (days >= 1).then(|| i32::try_from(1 + (days - 1) / OVERDUE_REPEAT_DAYS).unwrap_or(i32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn p(name: &str, t: ExpertType) -> Person {
        Person { name: name.into(), expert_type: Some(t), leader: false, main_writer: false }
    }

    fn group() -> Vec<Person> {
        let mut g = vec![
            p("甲", ExpertType::Method),
            p("乙", ExpertType::Content),
            p("丙", ExpertType::Practical),
            p("丁", ExpertType::Practical),
            p("戊", ExpertType::Practical),
        ];
        g[0].leader = true;
        g[1].main_writer = true;
        g
    }

    fn codes(f: &[RuleFailure]) -> Vec<&'static str> {
        f.iter().map(|f| f.code).collect()
    }

    fn spec() -> Vec<Deliverable> {
        vec![Deliverable { kind: ResourceKind::EvaluationSpecification, quantity: 1, description: String::new() }]
    }

    #[test]
    fn agreement_due_date_is_6_to_12_months_after_signing() {
        // 000 第十七条: 开发周期一般为6至12个月.
        let signed = d(2026, 8, 31);
        let today = d(2026, 9, 1);
        let k = ResourceKind::EvaluationSpecification;
        for (due, ok) in [
            (d(2027, 2, 27), false),
            (d(2027, 2, 28), true), // 31 Aug + 6 months = 28 Feb
            (d(2027, 8, 31), true),
            (d(2027, 9, 1), false),
        ] {
            assert_eq!(check_agreement(k, signed, due, &spec(), today).is_empty(), ok, "{due}");
        }
        assert_eq!(codes(&check_agreement(k, d(2026, 9, 2), d(2027, 3, 2), &spec(), today)), ["signed_on_in_future"]);
        let bad = [Deliverable { kind: ResourceKind::TheoryQuestionBank, quantity: 0, description: String::new() }];
        assert_eq!(
            codes(&check_agreement(k, signed, d(2026, 12, 31), &bad, today)),
            ["due_date_out_of_range", "deliverable_kind_mismatch", "deliverable_quantity_not_positive"]
        );
        assert_eq!(codes(&check_agreement(k, signed, d(2027, 3, 1), &[], today)), ["deliverables_missing"]);
        let huge = [Deliverable { kind: k, quantity: i64::MAX, description: String::new() }];
        assert_eq!(codes(&check_agreement(k, signed, d(2027, 3, 1), &huge, today)), ["deliverable_quantity_too_large"]);
    }

    #[test]
    fn writing_group_rules_all_at_once() {
        // 000 第十六条(一)
        assert!(check_writing_group(&group()).is_empty());
        let four: Vec<Person> = group().into_iter().take(4).collect();
        // 4 people, 2 practical: too small and not more than half.
        assert_eq!(codes(&check_writing_group(&four)), ["writing_group_too_small", "practical_experts_not_majority"]);
        let mut g = group();
        g[4].expert_type = Some(ExpertType::Content); // 2 of 5 practical
        g[0].leader = false;
        g[1].main_writer = false;
        assert_eq!(codes(&check_writing_group(&g)), ["practical_experts_not_majority", "leader_missing", "main_writer_missing"]);
        // Exactly half is not "more than half": 3 of 6.
        let mut six = group();
        six.push(p("己", ExpertType::Method));
        assert_eq!(codes(&check_writing_group(&six)), ["practical_experts_not_majority"]);
        let mut two_leaders = group();
        two_leaders[2].leader = true;
        assert_eq!(codes(&check_writing_group(&two_leaders)), ["leader_missing"]);
        let mut untyped = group();
        untyped[0].expert_type = None;
        assert_eq!(codes(&check_writing_group(&untyped)), ["expert_type_missing"]);
    }

    #[test]
    fn reviews_are_by_experts_outside_the_group() {
        // 000 第十六条(三)(五)
        let g = group();
        let initial = vec![p("子", ExpertType::Content), p("丑", ExpertType::Method), p("寅", ExpertType::Practical)];
        assert!(check_initial_review(&initial, &g).is_empty());
        let with_member = vec![p("子", ExpertType::Content), p(" 丙 ", ExpertType::Practical)];
        let f = check_initial_review(&with_member, &g);
        assert_eq!(codes(&f), ["reviewer_in_writing_group"]);
        assert!(f[0].zh.contains('丙'));
        assert_eq!(codes(&check_initial_review(&[], &g)), ["reviewers_missing"]);
        // Final: at most 50% from the initial review — 2 of 4 is fine, 2 of 3 is not.
        let ok =
            vec![p("子", ExpertType::Content), p("丑", ExpertType::Method), p("卯", ExpertType::Practical), p("辰", ExpertType::Method)];
        assert!(check_final_review(&ok, &g, &initial).is_empty());
        let over = vec![p("子", ExpertType::Content), p("丑", ExpertType::Method), p("卯", ExpertType::Practical)];
        assert_eq!(codes(&check_final_review(&over, &g, &initial)), ["final_review_overlap_over_half"]);
        let both = vec![p("子", ExpertType::Content), p("丑", ExpertType::Method), p("甲", ExpertType::Method)];
        assert_eq!(codes(&check_final_review(&both, &g, &initial)), ["reviewer_in_writing_group", "final_review_overlap_over_half"]);
    }

    #[test]
    fn question_bank_per_level() {
        // 000 第十五条(二): 理论知识题量一般不少于1000道，操作技能题量应不少于30道.
        let l = |name: &str, t, pr| LevelItems { level: name.into(), theory: t, practical: pr };
        assert!(check_question_bank(&[l("三级/高级工", 1000, 30), l("二级/技师", 1200, 45)], 2).is_empty());
        let f = check_question_bank(&[l("三级/高级工", 999, 30), l("二级/技师", 1000, 29)], 2);
        assert_eq!(codes(&f), ["question_bank_too_small", "question_bank_too_small"]);
        assert_eq!(f[0].field, "item_counts[0]");
        assert!(f[0].zh.contains("三级/高级工") && f[0].zh.contains("999"));
        assert_eq!(codes(&check_question_bank(&[l("三级/高级工", 1000, 30)], 2)), ["question_bank_levels_mismatch"]);
        assert_eq!(codes(&check_question_bank(&[l("三级", 1000, 30), l("三级", 1000, 30)], 2)), ["question_bank_levels_mismatch"]);
    }

    #[test]
    fn acceptance_review_and_progress_report_need_content() {
        assert_eq!(codes(&check_acceptance_review(&[], None)), ["reviewers_missing", "outcome_missing"]);
        assert!(check_progress_report(false, "  ").iter().any(|f| f.code == "progress_report_empty"));
        assert!(check_progress_report(true, "").is_empty() && check_progress_report(false, "已完成第一阶段").is_empty());
        assert_eq!(MilestoneKind::Approval.recorded_in(), super::super::ApplicationStatus::AwaitingPublication);
        assert_eq!(MilestoneKind::Kickoff.recorded_in(), super::super::ApplicationStatus::InDevelopment);
    }

    #[test]
    fn overdue_stages() {
        let due = d(2027, 3, 31);
        assert_eq!(overdue_stage(due, d(2027, 3, 31)), None, "due today is not overdue");
        assert_eq!(overdue_stage(due, d(2027, 4, 1)), Some(1));
        assert_eq!(overdue_stage(due, d(2027, 4, 30)), Some(1));
        assert_eq!(overdue_stage(due, d(2027, 5, 1)), Some(2), "day 31");
        assert_eq!(overdue_stage(due, d(2027, 5, 31)), Some(3), "day 61");
    }

    #[test]
    fn milestones_in_order() {
        use MilestoneKind as M;
        let spec = ResourceKind::EvaluationSpecification;
        let bank = ResourceKind::TheoryQuestionBank;
        assert_eq!(next_allowed(spec, &[], M::WritingGroup), Ok(()));
        assert_eq!(next_allowed(spec, &[], M::Kickoff), Err(OrderError::OutOfOrder { expected: Some(M::WritingGroup) }));
        let upto = [M::WritingGroup, M::Kickoff, M::InitialReview];
        assert_eq!(next_allowed(spec, &upto, M::FinalReview), Err(OrderError::OutOfOrder { expected: Some(M::CommentPeriod) }));
        assert_eq!(next_allowed(bank, &upto, M::FinalReview), Ok(()));
        assert_eq!(next_allowed(bank, &upto, M::CommentPeriod), Err(OrderError::NotApplicable));
        assert_eq!(next_allowed(spec, &[M::WritingGroup], M::WritingGroup), Err(OrderError::OutOfOrder { expected: Some(M::Kickoff) }));
        let all = sequence(spec);
        assert_eq!(next_allowed(spec, &all, M::Approval), Err(OrderError::OutOfOrder { expected: None }));
        // 000 第二十条(五)(六): reports repeat; acceptance after at least one.
        let case = ResourceKind::IntegratedCaseCourse;
        assert_eq!(next_allowed(case, &[], M::AcceptanceReview), Err(OrderError::OutOfOrder { expected: Some(M::ProgressReport) }));
        assert_eq!(next_allowed(case, &[M::ProgressReport, M::ProgressReport], M::AcceptanceReview), Ok(()));
        assert_eq!(next_allowed(case, &[], M::Kickoff), Err(OrderError::NotApplicable));
    }
}
