//! Expert review (000 第十一条(二), 第二十四条; DESIGN §6): the bureau draws
//! a panel at random (seed and candidates recorded), each expert declares
//! no conflict before seeing the application (a conflict removes the expert,
//! and the next draw fills the seat), experts score, and the bureau sees
//! means, spreads and the ranking of a call.

use std::collections::HashMap;

use entities::{
    models::{application, expert, panel_draw, panel_member, review},
    resource::{
        ApplicationAction, ApplicationStatus, Category, PanelMemberStatus, Recommendation, panel,
        scoring::{CRITERIA, CriterionScores, PanelScore, single_score_hundredths},
        transition,
    },
};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde_json::json;
use uuid::Uuid;

use super::{expert_of, load_for_bureau, not_found, save_status, wrong_state};
use crate::{
    audit::{self, Actor, Entry},
    auth::Caller,
    error::{ApiError, ApiResult},
    pagination::PageParams,
    state::AppState,
};

/// The result of a draw.
pub struct DrawResult {
    pub draw: panel_draw::Model,
    pub application: application::Model,
}

/// Draws experts until the panel has `size` seats not refused by conflict.
///
/// # Errors
/// 403, 404, 409 `wrong_state` / `panel_full` / `no_eligible_expert`.
pub async fn draw(state: &AppState, caller: &Caller, id: Uuid, size: Option<u32>, seed: Option<u64>) -> ApiResult<DrawResult> {
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let before = load_for_bureau(&txn, caller, id).await?;
    let next = transition(before.status, ApplicationAction::DrawPanel, before.category).map_err(|e| wrong_state(&e))?;
    let seats = panel_member::Entity::find().filter(panel_member::Column::ApplicationId.eq(id)).all(&txn).await?;
    let size = size.unwrap_or(state.settings.resources.panel_size) as usize;
    let filled = seats.iter().filter(|s| s.status != PanelMemberStatus::Conflicted).count();
    if filled >= size {
        return Err(ApiError::conflict("panel_full", format!("评审专家组已满（{filled}人）"), "The panel is full"));
    }
    let excluded: Vec<Uuid> = seats.iter().map(|s| s.expert_id).collect();
    let pool: Vec<panel::Candidate> = expert::Entity::find()
        .select_only()
        .columns([expert::Column::Id, expert::Column::OrganizationId, expert::Column::Active])
        .into_tuple::<(Uuid, Option<Uuid>, bool)>()
        .all(&txn)
        .await?
        .into_iter()
        .map(|(expert_id, organization_id, active)| panel::Candidate { expert_id, organization_id, active })
        .collect();
    let seed = seed.unwrap_or_else(rand::random::<u64>);
    let d = panel::draw(&pool, before.organization_id, &excluded, size - filled, seed);
    if d.chosen.is_empty() {
        return Err(ApiError::conflict("no_eligible_expert", "专家库中没有可抽取的专家", "No eligible expert is left in the pool"));
    }
    let row = panel_draw::ActiveModel {
        id: Set(Uuid::now_v7()),
        application_id: Set(id),
        seed: Set(i64::from_ne_bytes(d.seed.to_ne_bytes())),
        requested: Set(i32::try_from(size - filled).unwrap_or(i32::MAX)),
        candidates: Set(json!(d.eligible)),
        chosen: Set(json!(d.chosen)),
        drawn_by: Set(caller.user_id),
        drawn_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let members: Vec<panel_member::ActiveModel> = d
        .chosen
        .iter()
        .map(|e| panel_member::ActiveModel {
            id: Set(Uuid::now_v7()),
            application_id: Set(id),
            expert_id: Set(*e),
            draw_id: Set(row.id),
            status: Set(PanelMemberStatus::Drawn),
            conflict_reason: Set(None),
            declared_at: Set(None),
            created_at: Set(now),
        })
        .collect();
    panel_member::Entity::insert_many(members).exec(&txn).await?;
    let application = if next == before.status { before.clone() } else { save_status(&txn, &before, next, None, now).await? };
    audit::record(&txn, Actor(Some(caller)), now, Entry::new("application.panel_drawn", "application", id).after(&row)).await?;
    let users: Vec<Option<Uuid>> = expert::Entity::find()
        .select_only()
        .column(expert::Column::UserId)
        .filter(expert::Column::Id.is_in(d.chosen.clone()))
        .into_tuple()
        .all(&txn)
        .await?;
    for u in users.into_iter().flatten() {
        jobs::notify::create(
            &txn,
            u,
            "panel_drawn",
            "您被抽取为技能资源申报评审专家",
            "请先声明是否存在利益冲突（回避），声明无利益冲突后方可查看申报材料并评分。",
            Some(&format!("/expert/applications/{id}")),
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(DrawResult { draw: row, application })
}

/// One seat with its expert and review.
pub struct Seat {
    pub member: panel_member::Model,
    pub expert: Option<expert::Model>,
    pub review: Option<review::Model>,
}

/// The panel, reviews and the panel score of an application (bureau).
///
/// # Errors
/// 403, 404.
pub async fn panel_of(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> ApiResult<(application::Model, Vec<Seat>, Vec<panel_draw::Model>, Option<PanelScore>)> {
    let a = load_for_bureau(&state.db, caller, id).await?;
    let members = panel_member::Entity::find()
        .filter(panel_member::Column::ApplicationId.eq(id))
        .order_by_asc(panel_member::Column::Id)
        .find_also_related(expert::Entity)
        .all(&state.db)
        .await?;
    let reviews = review::Entity::find().filter(review::Column::ApplicationId.eq(id)).all(&state.db).await?;
    let draws = panel_draw::Entity::find()
        .filter(panel_draw::Column::ApplicationId.eq(id))
        .order_by_asc(panel_draw::Column::Id)
        .all(&state.db)
        .await?;
    let seats: Vec<Seat> = members
        .into_iter()
        .map(|(member, expert)| {
            let review = reviews.iter().find(|r| r.panel_member_id == member.id).cloned();
            Seat { member, expert, review }
        })
        .collect();
    let score = panel_score(&seats);
    Ok((a, seats, draws, score))
}

/// Scores of seats not refused by conflict (DESIGN §6: a review marked conflict is excluded).
fn panel_score(seats: &[Seat]) -> Option<PanelScore> {
    let scores: Vec<u32> = seats
        .iter()
        .filter(|s| s.member.status == PanelMemberStatus::Accepted)
        .filter_map(|s| s.review.as_ref().map(|r| u32::try_from(r.score_hundredths).unwrap_or(0)))
        .collect();
    PanelScore::of(&scores)
}

/// The expert's own seat on `id`.
async fn my_seat(db: &impl sea_orm::ConnectionTrait, caller: &Caller, id: Uuid) -> ApiResult<(expert::Model, panel_member::Model)> {
    let e = expert_of(db, caller).await?;
    let seat = panel_member::Entity::find()
        .filter(panel_member::Column::ApplicationId.eq(id))
        .filter(panel_member::Column::ExpertId.eq(e.id))
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    Ok((e, seat))
}

/// The expert declares whether it has a conflict of interest (回避) before seeing the application.
///
/// # Errors
/// 403 non-expert, 404 not drawn for it, 409 `already_declared`, 422 conflict without reason.
pub async fn declare(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    conflict: bool,
    reason: Option<String>,
) -> ApiResult<panel_member::Model> {
    if conflict && reason.is_none() {
        return Err(ApiError::field("reason", "声明回避须说明理由", "A reason is required for a conflict"));
    }
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let (_, before) = my_seat(&txn, caller, id).await?;
    if before.status != PanelMemberStatus::Drawn {
        return Err(ApiError::conflict("already_declared", "已声明，不能重复声明", "Already declared"));
    }
    let mut m: panel_member::ActiveModel = before.clone().into();
    m.status = Set(if conflict { PanelMemberStatus::Conflicted } else { PanelMemberStatus::Accepted });
    m.conflict_reason = Set(reason);
    m.declared_at = Set(Some(now));
    let after = m.update(&txn).await?;
    let action = if conflict { "panel_member.conflict_declared" } else { "panel_member.no_conflict_declared" };
    audit::record(&txn, Actor(Some(caller)), now, Entry::new(action, "panel_member", after.id).before(&before).after(&after)).await?;
    txn.commit().await?;
    Ok(after)
}

/// An expert's scores: category 3 the five criteria of 附件1, others one score and a recommendation.
pub struct ReviewInput {
    pub criteria: Option<[i64; 5]>,
    pub score: Option<i64>,
    pub recommendation: Option<Recommendation>,
    pub comment: Option<String>,
}

/// An expert cleared for the application scores it (again, while under review).
///
/// # Errors
/// 403, 404, 409 `declaration_required` / `wrong_state`, 422 scores out of range or missing.
pub async fn submit_review(state: &AppState, caller: &Caller, id: Uuid, input: ReviewInput) -> ApiResult<review::Model> {
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let (e, seat) = my_seat(&txn, caller, id).await?;
    match seat.status {
        PanelMemberStatus::Accepted => {}
        PanelMemberStatus::Drawn => {
            return Err(ApiError::conflict("declaration_required", "请先声明无利益冲突", "Declare no conflict of interest first"));
        }
        PanelMemberStatus::Conflicted => return Err(not_found()),
    }
    let a = application::Entity::find_by_id(id).one(&txn).await?.ok_or_else(not_found)?;
    if a.status != ApplicationStatus::UnderReview {
        return Err(ApiError::conflict("wrong_state", format!("申报当前状态为“{}”，不能评分", a.status.label_zh()), "Not under review"));
    }
    let (values, hundredths, recommendation) = if a.category == Category::TrainingResource {
        let raw =
            input.criteria.ok_or_else(|| ApiError::field("criteria", "培训资源认定须按五项认定内容分别评分", "criteria are required"))?;
        let parsed = CriterionScores::parse(raw).map_err(|bad| {
            ApiError::validation(bad.into_iter().map(|(i, v)| {
                entities::values::FieldError::new(
                    format!("criteria.{}", CRITERIA[i].0),
                    format!("{}评分须在0到100之间（填写{v}）", CRITERIA[i].1),
                    "must be 0–100",
                )
            }))
        })?;
        (Some(parsed.values()), parsed.weighted_hundredths(), input.recommendation)
    } else {
        let score = input.score.ok_or_else(|| ApiError::field("score", "须填写立项评审得分", "score is required"))?;
        let h = single_score_hundredths(score)
            .map_err(|v| ApiError::field("score", format!("得分须在0到100之间（填写{v}）"), "must be 0–100"))?;
        let r = input.recommendation.ok_or_else(|| ApiError::field("recommendation", "须填写评审建议", "recommendation is required"))?;
        (None, h, Some(r))
    };
    let existing = review::Entity::find().filter(review::Column::PanelMemberId.eq(seat.id)).one(&txn).await?;
    let v = |i: usize| values.map(|v| i32::try_from(v[i]).unwrap_or(0));
    let mut m = review::ActiveModel {
        id: Set(existing.as_ref().map_or_else(Uuid::now_v7, |r| r.id)),
        application_id: Set(id),
        panel_member_id: Set(seat.id),
        expert_id: Set(e.id),
        industry_match: Set(v(0)),
        wide_application: Set(v(1)),
        content_fit: Set(v(2)),
        flexible_mode: Set(v(3)),
        social_benefit: Set(v(4)),
        score_hundredths: Set(i32::try_from(hundredths).unwrap_or(0)),
        recommendation: Set(recommendation),
        comment: Set(input.comment),
        submitted_at: Set(now),
    };
    let after = if let Some(before) = &existing {
        m.id = Set(before.id);
        m.update(&txn).await?
    } else {
        m.insert(&txn).await?
    };
    let mut entry = Entry::new("review.submitted", "application", id).after(&after);
    if let Some(b) = &existing {
        entry = entry.before(b);
    }
    audit::record(&txn, Actor(Some(caller)), now, entry).await?;
    txn.commit().await?;
    Ok(after)
}

/// One assignment: the seat, its application and the applicant's name.
pub type AssignmentRow = (panel_member::Model, application::Model, String);

/// A page of the panels an expert was drawn for (its assignments), whatever
/// it declared, oldest first (keyset-paged by seat id), and the next cursor.
///
/// # Errors
/// 403 for non-experts.
pub async fn assignments(state: &AppState, caller: &Caller, page: PageParams) -> ApiResult<(Vec<AssignmentRow>, Option<String>)> {
    let e = expert_of(&state.db, caller).await?;
    let mut q = panel_member::Entity::find().filter(panel_member::Column::ExpertId.eq(e.id));
    if let Some(after) = page.after {
        q = q.filter(panel_member::Column::Id.gt(after));
    }
    let seats = q.order_by_asc(panel_member::Column::Id).limit(page.fetch()).find_also_related(application::Entity).all(&state.db).await?;
    let (seats, next) = page.finish(seats, |(s, _)| s.id);
    let orgs: Vec<Uuid> = seats.iter().filter_map(|(_, a)| a.as_ref().map(|a| a.organization_id)).collect();
    let names: HashMap<Uuid, String> = entities::models::organization::Entity::find()
        .select_only()
        .column(entities::models::organization::Column::Id)
        .column(entities::models::organization::Column::Name)
        .filter(entities::models::organization::Column::Id.is_in(orgs))
        .into_tuple::<(Uuid, String)>()
        .all(&state.db)
        .await?
        .into_iter()
        .collect();
    let rows = seats
        .into_iter()
        .filter_map(|(s, a)| {
            a.map(|a| {
                let name = names.get(&a.organization_id).cloned().unwrap_or_default();
                (s, a, name)
            })
        })
        .collect();
    Ok((rows, next))
}

/// One assignment as its expert may see it (DESIGN §3, §6).
pub struct ExpertView {
    pub seat: panel_member::Model,
    /// Number, title and applicant's name: enough to judge a conflict of interest.
    pub number: Option<String>,
    pub title: String,
    pub applicant: String,
    pub category: Category,
    pub status: ApplicationStatus,
    /// The application itself: only after declaring no conflict.
    pub application: Option<application::Model>,
    /// The expert's own review, to correct it while under review.
    pub review: Option<review::Model>,
}

/// What the expert drawn for `id` may see of it: before declaring, only
/// what the assignment list shows; after declaring no conflict, the
/// application and its own review. A conflicted seat, or none, is 404.
///
/// # Errors
/// 403 non-expert, 404 not drawn for it (or withdrawn by conflict).
pub async fn my_assignment(state: &AppState, caller: &Caller, id: Uuid) -> ApiResult<ExpertView> {
    let (_, seat) = my_seat(&state.db, caller, id).await?;
    if seat.status == PanelMemberStatus::Conflicted {
        return Err(not_found());
    }
    let a = application::Entity::find_by_id(id).one(&state.db).await?.ok_or_else(not_found)?;
    let applicant =
        entities::models::organization::Entity::find_by_id(a.organization_id).one(&state.db).await?.map(|o| o.name).unwrap_or_default();
    let cleared = seat.status == PanelMemberStatus::Accepted;
    let review =
        if cleared { review::Entity::find().filter(review::Column::PanelMemberId.eq(seat.id)).one(&state.db).await? } else { None };
    Ok(ExpertView {
        number: a.number.clone(),
        title: a.title.clone(),
        applicant,
        category: a.category,
        status: a.status,
        application: cleared.then_some(a),
        review,
        seat,
    })
}
