//! The skill-resource part of the demo story (seed 000): applications of
//! every category through the funnel, dated back from today like the rest
//! of [`super::story`].
//!
//! - Last spring's call (230 days ago, category 3): four applications drawn,
//!   on a 公示 notice, closed, approved and published; their payments
//!   disbursed; one revoked for fraud (a sanction, the payment clawed back);
//!   two assessed "update required" so that one reassessment is overdue and
//!   one falls due within 60 days.
//! - This season's calls (12 days ago, all five categories): an application
//!   of each category handed in, a draft, one notice that ends this week and
//!   one still open with an objection awaiting the bureau's ruling.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use entities::{
    models::{fee_schedule, payment},
    report::outstanding::load_calendar,
    resource::{
        Category, ResourceKind, SkillLevel, TeamRole, TitleLevel, development::Deliverable, funding::PaymentStatus, notice::period_of,
        operation::AssessmentOutcome,
    },
    sanction::SanctionKind,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{
    DEMO_PDF,
    story::{Story, step},
};
use crate::services::{
    documents,
    resources::{
        self, NewCall, applications,
        applications::{Enterprise, Fields, Leader, TeamMember},
        catalogue,
        development::{self, NewAgreement},
        funding,
        notices::{self, NewObjection},
        operation::{self, NewAssessment},
        review,
    },
    sanctions::{self, NewSanction},
};

/// One application of the story.
struct App {
    applicant: &'static str,
    kind: ResourceKind,
    title: &'static str,
    occupation: (&'static str, &'static str),
}

const fn app(applicant: &'static str, kind: ResourceKind, title: &'static str, occupation: (&'static str, &'static str)) -> App {
    App { applicant, kind, title, occupation }
}

const ROBOT: (&str, &str) = ("6-25-04-08", "工业机器人系统操作员");
const MOULD: (&str, &str) = ("6-18-04-01", "模具工");
const COMMERCE: (&str, &str) = ("4-01-06-01", "电子商务师");
const HR: (&str, &str) = ("4-07-03-02", "劳动关系协调员");
const WELDER: (&str, &str) = ("6-18-02-04", "焊工");
const CNC: (&str, &str) = ("6-18-01-01", "车工");
const ELECTRONICS: (&str, &str) = ("6-25-03-00", "电子设备装接工");

/// Last spring's category-3 applications: published, then (index 3) revoked.
const PUBLISHED: [App; 4] = [
    app("org09", ResourceKind::OnlineCourse, "工业机器人系统操作线上课程", ROBOT),
    app("org10", ResourceKind::PrintedTextbook, "模具设计与制造实训教材", MOULD),
    app("org05", ResourceKind::CourseStandard, "电子商务师培训课程标准", COMMERCE),
    app("org15", ResourceKind::ETextbook, "劳动关系协调员电子教材", HR),
];

/// Last spring's development projects (categories 4 and 5): on the same
/// notice, approved for development (立项); the first signs its agreement.
const PROJECTS: [(Category, App); 2] = [
    (Category::EvaluationResource, app("org14", ResourceKind::EvaluationSpecification, "电子设备装接工行业企业评价规范", ELECTRONICS)),
    (Category::SkillResearch, app("org06", ResourceKind::IntegratedCaseCourse, "工业机器人工学一体化案例课程", ROBOT)),
];

/// This season's applications, one per category and more of category 3
/// (index 2 on the notice ending this week, 3 on the open notice, 6 a draft).
const CURRENT: [(Category, App); 7] = [
    (Category::NewOccupation, app("org13", ResourceKind::NewOccupationProposal, "模具数字化设计师新职业建议书", MOULD)),
    (Category::StandardUpgrade, app("org07", ResourceKind::CourseStandard, "车工国家职业标准培训包升级", CNC)),
    (Category::TrainingResource, app("org06", ResourceKind::OnlineCourse, "焊接技术线上课程", WELDER)),
    (Category::TrainingResource, app("org14", ResourceKind::TrainingCourse, "直播电商培训课程", COMMERCE)),
    (Category::EvaluationResource, app("org13", ResourceKind::EvaluationSpecification, "模具工行业企业评价规范", MOULD)),
    (Category::SkillResearch, app("org07", ResourceKind::IntegratedCaseCourse, "数控车削工学一体化案例课程", CNC)),
    (Category::TrainingResource, app("org01", ResourceKind::OnlineCourse, "智能装备运维线上课程", ROBOT)),
];

impl Story {
    async fn call(&self, category: Category, opens: DateTime<Utc>) -> anyhow::Result<Uuid> {
        let n = NewCall {
            category,
            title: format!("东莞市技能资源{}征集公告", category.label_zh()),
            description: "征集范围、申报条件、申报材料和评审方式详见附件。".into(),
            document_id: None,
            opens_at: opens - TimeDelta::hours(1),
            closes_at: opens + TimeDelta::days(40),
        };
        Ok(step(resources::create_call(&self.state, &self.staff, n).await, || format!("call {category:?}"))?.id)
    }

    /// Drafts (and submits unless `draft`) one application.
    async fn apply(&self, call: Uuid, category: Category, a: &App, draft: bool) -> anyhow::Result<Uuid> {
        let s = &self.state;
        let c = self.user(a.applicant)?;
        let mut enterprises = Vec::new();
        if category == Category::TrainingResource {
            for (i, name) in ["松山湖智能装备", "长安精密模具", "虎门服装智造", "大朗毛织科技", "东莞电子科技"].iter().enumerate()
            {
                let doc = step(documents::store(s, c, &format!("使用报告{i}.pdf"), DEMO_PDF.to_vec()).await, || "usage report".into())?;
                enterprises.push(Enterprise {
                    name: format!("东莞市{name}有限公司"),
                    credit_code: None,
                    usage_report_document_id: Some(doc.id),
                });
            }
        }
        let team = |roles: &[TeamRole]| {
            roles
                .iter()
                .enumerate()
                .map(|(i, r)| TeamMember {
                    name: super::EXPERTS[(i + 9) % 20].into(),
                    role: *r,
                    qualification: "从事本职业教学与实践十年以上".into(),
                })
                .collect::<Vec<_>>()
        };
        let f = Fields {
            call_id: call,
            resource_kind: a.kind,
            occupation_code: a.occupation.0.into(),
            occupation_name: a.occupation.1.into(),
            levels: vec!["四级/中级工".into(), "三级/高级工".into()],
            title: a.title.into(),
            description: format!("{}：面向东莞市重点产业岗位需求开发，已在联盟成员单位试用。", a.title),
            document_ids: Vec::new(),
            trainees_last_3_years: (category == Category::TrainingResource).then_some(1200),
            ip_declared: true,
            enterprises,
            team: match category {
                Category::EvaluationResource => team(&[TeamRole::Engineer, TeamRole::Technician, TeamRole::Teacher]),
                Category::SkillResearch => team(&[TeamRole::Technician, TeamRole::Teacher, TeamRole::Engineer]),
                _ => Vec::new(),
            },
            leader: (category == Category::SkillResearch).then(|| Leader {
                name: "陈志强".into(),
                title_level: TitleLevel::DeputySenior,
                skill_level: SkillLevel::SeniorTechnician,
            }),
            funding_source: matches!(category, Category::EvaluationResource | Category::SkillResearch).then(|| "单位自筹经费50万元".into()),
        };
        let id = step(applications::create(s, c, f).await, || format!("{}: draft", a.title))?.id;
        if !draft {
            step(applications::submit(s, c, id, None).await, || format!("{}: submit", a.title))?;
        }
        Ok(id)
    }

    async fn draw(&self, id: Uuid, seed: u64) -> anyhow::Result<()> {
        step(review::draw(&self.state, &self.staff, id, Some(1), Some(seed)).await.map(|_| ()), || "panel".into())
    }

    /// A 5-working-day notice of `ids` published now; answers (id, end).
    async fn notice(&self, title: &str, ids: Vec<Uuid>) -> anyhow::Result<(Uuid, DateTime<Utc>)> {
        let v = step(
            notices::create(&self.state, &self.staff, title.into(), "经专家评审，拟认定以下技能资源，现予公示。".into(), ids).await,
            || format!("notice {title}"),
        )?;
        Ok((v.notice.id, v.notice.ends_at))
    }

    /// Runs the notice-close job just after `end`, if that has happened.
    async fn close_after(&self, end: DateTime<Utc>) -> anyhow::Result<bool> {
        let t = end + TimeDelta::minutes(1);
        if t > self.now {
            return Ok(false);
        }
        self.clock.set(t);
        step(crate::services::jobs::run_now(&self.state, None, "notice_close").await.map(|_| ()), || "notice_close".into())?;
        Ok(true)
    }

    /// A day, at most `back` days ago, whose 5-working-day notice ends in this week (Monday to Sunday).
    async fn ending_this_week(&self) -> anyhow::Result<Option<NaiveDate>> {
        let (monday, next_monday) = entities::dashboard::week_of(self.today);
        let year = chrono::Datelike::year(&self.today);
        let calendar = load_calendar(&self.state.db, year - 1, year + 1).await?;
        for back in 2..=12 {
            let day = self.days_ago(back);
            if let Ok(p) = period_of(&calendar, beijing_ten(day), 5)
                && p.end_date >= monday
                && p.end_date < next_monday
            {
                return Ok(Some(day));
            }
        }
        Ok(None)
    }
}

fn beijing_ten(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(10, 0, 0)
        .and_then(|t| t.and_local_timezone(entities::calendar::CHINA_OFFSET).single())
        .map_or_else(Utc::now, |t| t.to_utc())
}

/// Loads both seasons.
///
/// # Errors
/// A step refused by its service, database errors.
pub async fn load(story: &Story) -> anyhow::Result<()> {
    last_spring(story).await?;
    this_season(story).await
}

async fn last_spring(story: &Story) -> anyhow::Result<()> {
    let s = &story.state;
    // Publication (12 days after the start) needs a fee schedule in force (000 第二十三条).
    let first_fee = fee_schedule::Entity::find().order_by_asc(fee_schedule::Column::EffectiveFrom).one(&s.db).await?;
    let start = first_fee.map_or(story.days_ago(230), |f| story.days_ago(230).max(f.effective_from - TimeDelta::days(8)));
    if !story.calendar_covers(start, "last spring's call") || !story.at(start, 9) {
        return Ok(());
    }
    let call = story.call(Category::TrainingResource, story.clock_now()).await?;
    let mut ids = Vec::new();
    for a in &PUBLISHED {
        ids.push(story.apply(call, Category::TrainingResource, a, false).await?);
    }
    let mut projects = Vec::new();
    for (category, a) in &PROJECTS {
        let call = story.call(*category, story.clock_now()).await?;
        projects.push(story.apply(call, *category, a, false).await?);
    }
    story.at(start + TimeDelta::days(1), 10);
    for (seed, id) in ids.iter().chain(&projects).enumerate() {
        story.draw(*id, seed as u64).await?;
    }
    story.at(start + TimeDelta::days(2), 10);
    let listed: Vec<Uuid> = ids.iter().chain(&projects).copied().collect();
    let (_, end) = story.notice("技能资源拟认定、拟立项名单公示", listed).await?;
    if !story.close_after(end).await? {
        return Ok(());
    }
    let approved = end.with_timezone(&entities::calendar::CHINA_OFFSET).date_naive() + TimeDelta::days(3);
    story.at(approved, 10);
    let mut resources = Vec::new();
    for id in &ids {
        let (_, r) = step(catalogue::approve(s, &story.staff, *id).await, || "approve".into())?;
        resources.push(r.map(|r| r.id));
    }
    for id in &projects {
        step(catalogue::approve(s, &story.staff, *id).await, || "approve for development".into())?;
    }
    story.at(approved + TimeDelta::days(7), 10);
    // 000 第十四条(四): the agreement, due in 10 months.
    let n = NewAgreement {
        signed_on: approved + TimeDelta::days(7),
        due_on: (approved + TimeDelta::days(7)).checked_add_months(chrono::Months::new(10)).unwrap_or(approved),
        deliverables: vec![Deliverable { kind: PROJECTS[0].1.kind, quantity: 1, description: PROJECTS[0].1.title.into() }],
        document_id: None,
    };
    step(development::sign(s, &story.staff, projects[0], n).await.map(|_| ()), || "agreement".into())?;
    let committed = payment::Entity::find()
        .filter(payment::Column::ApplicationId.is_in(ids.clone()))
        .filter(payment::Column::Status.eq(PaymentStatus::Committed))
        .all(&s.db)
        .await?;
    for p in committed {
        step(funding::disburse(s, &story.staff, p.id).await.map(|_| ()), || "disburse".into())?;
    }
    // 000 第二十二条: the e-textbook's usage reports were forged.
    let fraud_on = approved + TimeDelta::days(30);
    if story.at(fraud_on, 10) {
        let n = NewSanction {
            organization_id: story.org(PUBLISHED[3].applicant)?,
            kind: SanctionKind::FraudInCertification,
            confirmed_on: fraud_on,
            description: "经核查，申报材料中的企业使用报告系伪造，撤销认定并追回经费".into(),
            application_id: Some(ids[3]),
        };
        step(sanctions::create(s, &story.staff, n).await.map(|_| ()), || "sanction".into())?;
    }
    // 000 第二十一条: assessed "update required" (6 months to the next), so the
    // online course falls due in 20 days and the textbook is 10 days overdue.
    for (i, back) in [(0usize, 183 - 20), (1, 183 + 10)] {
        let (Some(Some(r)), day) = (resources.get(i), story.days_ago(back)) else { continue };
        if day < approved || !story.at(day, 10) {
            continue;
        }
        let n = NewAssessment {
            outcome: AssessmentOutcome::UpdateRequired,
            assessed_on: day,
            note: "使用单位反馈部分内容需按新版职业标准更新".into(),
        };
        step(operation::assess_resource(s, &story.staff, *r, n).await.map(|_| ()), || "assessment".into())?;
    }
    Ok(())
}

async fn this_season(story: &Story) -> anyhow::Result<()> {
    let s = &story.state;
    let ending_day = story.ending_this_week().await?;
    let start = ending_day.map_or(story.days_ago(12), |d| d.min(story.days_ago(12)) - TimeDelta::days(1));
    if !story.calendar_covers(start, "this season's calls")
        || !story.calendar_covers(story.today, "this season's notices")
        || !story.at(start, 9)
    {
        return Ok(());
    }
    let mut calls = Vec::new();
    for category in Category::ALL {
        calls.push((category, story.call(category, story.clock_now()).await?));
    }
    let mut ids = Vec::new();
    for (i, (category, a)) in CURRENT.iter().enumerate() {
        let call = calls.iter().find(|(c, _)| c == category).map(|(_, id)| *id).unwrap_or_default();
        ids.push(story.apply(call, *category, a, i == 6).await?);
    }
    story.clock.set(story.clock_now() + TimeDelta::hours(4));
    // 000 第七条(二): the new-occupation proposal is compiled into a batch and reported upward.
    step(catalogue::create_batch(s, &story.staff, "新职业建议汇总上报（本季度）".into()).await.map(|_| ()), || {
        "batch".into()
    })?;
    // Categories 3 to 5 go to expert panels; category 2 is run under provincial rules (tracked only).
    for (seed, id) in ids.iter().enumerate().take(6).skip(2) {
        story.draw(*id, 100 + seed as u64).await?;
    }
    if let Some(day) = ending_day
        && story.at(day, 10)
    {
        let (_, end) = story.notice("技能培训资源拟认定名单公示（第二批）", vec![ids[2]]).await?;
        story.close_after(end).await?;
    }
    if story.at(story.days_ago(1), 10) {
        let (notice, _) = story.notice("技能培训资源拟认定名单公示（第三批）", vec![ids[3]]).await?;
        story.clock.set(story.clock_now() + TimeDelta::hours(1));
        if story.clock_now() <= story.now {
            let o = NewObjection {
                application_id: ids[3],
                name: "赵先生".into(),
                phone: Some("13912345678".into()),
                email: None,
                argument: "该课程的部分案例与本单位已出版教材内容雷同，请核查。".into(),
                evidence: None,
            };
            step(notices::file_objection(s, notice, "127.0.0.1", o).await.map(|_| ()), || "objection".into())?;
        }
    }
    Ok(())
}

impl Story {
    fn clock_now(&self) -> DateTime<Utc> {
        jobs::Clock::now(&self.clock)
    }
}
