//! `fee-schedule`: the 附件2 fee schedule versions (000 第二十三条);
//! `payments`: what publication committed, disbursement, totals per category.

use chrono::{DateTime, NaiveDate, Utc};
use entities::{
    models::{fee_schedule, payment},
    resource::funding::FeeAmounts,
    values::optional_text,
};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use crate::{
    auth::BearerAuth,
    error::{ApiResult, parse_all},
    pagination::PageParams,
    routes::{
        Tag,
        resource_dto::{CategoryDto, FeeItemDto, PaymentStatusDto, ResourceKindDto},
    },
    services::resources::funding::{self as svc, CategoryTotal, NewVersion, PaymentFilter},
    state::AppState,
    text::Str,
};

/// Integer yuan per unit, one field per line of 附件2.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct FeeAmountsDto {
    /// 纸质教材 元/本
    printed_textbook: i64,
    /// 电子教材 元/本
    e_textbook: i64,
    /// 认定技能培训课程 元/个
    certified_course: i64,
    /// 认定或购买线上课程 元/门
    online_course: i64,
    /// 行业企业评价规范 元/个
    evaluation_specification: i64,
    /// 公共理论题库 元/等级
    theory_question_bank_level: i64,
    /// 工学一体化案例课程 元/个
    integrated_case_course: i64,
}

impl From<FeeAmounts> for FeeAmountsDto {
    fn from(a: FeeAmounts) -> Self {
        Self {
            printed_textbook: a.printed_textbook,
            e_textbook: a.e_textbook,
            certified_course: a.certified_course,
            online_course: a.online_course,
            evaluation_specification: a.evaluation_specification,
            theory_question_bank_level: a.theory_question_bank_level,
            integrated_case_course: a.integrated_case_course,
        }
    }
}

impl From<&FeeAmountsDto> for FeeAmounts {
    fn from(a: &FeeAmountsDto) -> Self {
        Self {
            printed_textbook: a.printed_textbook,
            e_textbook: a.e_textbook,
            certified_course: a.certified_course,
            online_course: a.online_course,
            evaluation_specification: a.evaluation_specification,
            theory_question_bank_level: a.theory_question_bank_level,
            integrated_case_course: a.integrated_case_course,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct FeeScheduleOut {
    id: Uuid,
    version: i32,
    effective_from: NaiveDate,
    /// The version in force today (service clock).
    in_force: bool,
    amounts: FeeAmountsDto,
    note: String,
    created_by: Option<Uuid>,
    created_at: DateTime<Utc>,
}

impl FeeScheduleOut {
    fn new(m: fee_schedule::Model, in_force: Option<Uuid>) -> Self {
        Self {
            in_force: in_force == Some(m.id),
            amounts: m.amounts().into(),
            id: m.id,
            version: m.version,
            effective_from: m.effective_from,
            note: m.note,
            created_by: m.created_by,
            created_at: m.created_at,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct FeeSchedulePage {
    items: Vec<FeeScheduleOut>,
    next_cursor: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct FeeScheduleBody {
    /// Today or later (Beijing date).
    effective_from: NaiveDate,
    amounts: FeeAmountsDto,
    /// 调整依据 (optional).
    note: Option<Str>,
}

#[derive(ApiResponse)]
pub enum CreatedFeeSchedule {
    /// Created.
    #[oai(status = 201)]
    Created(Json<FeeScheduleOut>),
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PaymentOut {
    id: Uuid,
    application_id: Uuid,
    resource_id: Option<Uuid>,
    organization_id: Uuid,
    category: CategoryDto,
    kind: ResourceKindDto,
    fee_item: FeeItemDto,
    fee_item_label: String,
    quantity: i64,
    /// Integer yuan per unit, from the schedule version stated.
    unit_amount: i64,
    /// Integer yuan.
    amount: i64,
    fee_schedule_id: Uuid,
    schedule_version: i32,
    published_on: NaiveDate,
    year: i32,
    status: PaymentStatusDto,
    status_label: String,
    disbursed_at: Option<DateTime<Utc>>,
    disbursed_by: Option<Uuid>,
}

impl From<payment::Model> for PaymentOut {
    fn from(p: payment::Model) -> Self {
        Self {
            id: p.id,
            application_id: p.application_id,
            resource_id: p.resource_id,
            organization_id: p.organization_id,
            category: p.category.into(),
            kind: p.kind.into(),
            fee_item: p.fee_item.into(),
            fee_item_label: p.fee_item.label_zh().into(),
            quantity: p.quantity,
            unit_amount: p.unit_amount,
            amount: p.amount,
            fee_schedule_id: p.fee_schedule_id,
            schedule_version: p.schedule_version,
            published_on: p.published_on,
            year: p.year,
            status: p.status.into(),
            status_label: p.status.label_zh().into(),
            disbursed_at: p.disbursed_at,
            disbursed_by: p.disbursed_by,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PaymentPage {
    items: Vec<PaymentOut>,
    next_cursor: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CategoryTotalOut {
    category: CategoryDto,
    category_label: String,
    /// Number of payments recorded.
    count: i64,
    /// Every payment recorded (disbursed or not), integer yuan.
    committed: i64,
    /// Of which disbursed, integer yuan.
    disbursed: i64,
}

impl From<CategoryTotal> for CategoryTotalOut {
    fn from(t: CategoryTotal) -> Self {
        Self {
            category: t.category.into(),
            category_label: t.category.label_zh().into(),
            count: t.count,
            committed: t.committed,
            disbursed: t.disbursed,
        }
    }
}

/// Totals of one year: one row per category that has payments (at most five, so unpaged).
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PaymentTotals {
    year: i32,
    items: Vec<CategoryTotalOut>,
}

#[derive(Default)]
pub struct FundingApi;

#[OpenApi(tag = "Tag::Resources")]
impl FundingApi {
    /// 经费支付标准 The fee schedule versions (附件2), oldest first; `in_force` marks today's.
    #[oai(path = "/fee-schedule", method = "get")]
    async fn list_fee_schedule(
        &self,
        state: Data<&AppState>,
        _auth: BearerAuth,
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<FeeSchedulePage>> {
        let page = PageParams::parse(limit.0, cursor.0.as_deref())?;
        let (items, next_cursor) = svc::list(&state, page).await?;
        let current = svc::version_on(&state.db, state.clock.today()).await?.map(|m| m.id);
        Ok(Json(FeeSchedulePage { items: items.into_iter().map(|m| FeeScheduleOut::new(m, current)).collect(), next_cursor }))
    }

    /// 调整经费支付标准 A new version of the fee schedule (bureau_admin): effective today or later, amounts in whole yuan above 0.
    #[oai(path = "/fee-schedule", method = "post")]
    async fn create_fee_schedule(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<FeeScheduleBody>,
    ) -> ApiResult<CreatedFeeSchedule> {
        auth.0.require(&[entities::Role::BureauAdmin])?;
        let b = body.0;
        parse_all! {
            note = optional_text("note", b.note.as_deref(), 2000),
        }
        let note = note.unwrap_or_default();
        let m = svc::create(&state, &auth.0, NewVersion { effective_from: b.effective_from, amounts: (&b.amounts).into(), note }).await?;
        let current = svc::version_on(&state.db, state.clock.today()).await?.map(|m| m.id);
        Ok(CreatedFeeSchedule::Created(Json(FeeScheduleOut::new(m, current))))
    }

    /// 经费拨付记录 Payments (bureau: all; org_user: its organisation's), oldest first.
    #[oai(path = "/payments", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list_payments(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        category: Query<Option<CategoryDto>>,
        year: Query<Option<i32>>,
        status: Query<Option<PaymentStatusDto>>,
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<PaymentPage>> {
        let page = PageParams::parse(limit.0, cursor.0.as_deref())?;
        let f = PaymentFilter { category: category.0.map(Into::into), year: year.0, status: status.0.map(Into::into) };
        let (items, next_cursor) = svc::list_payments(&state, &auth.0, f, page).await?;
        Ok(Json(PaymentPage { items: items.into_iter().map(Into::into).collect(), next_cursor }))
    }

    /// 经费合计 Committed and disbursed per category for a year (bureau).
    #[oai(path = "/payments/totals", method = "get")]
    async fn payment_totals(&self, state: Data<&AppState>, auth: BearerAuth, year: Query<i32>) -> ApiResult<Json<PaymentTotals>> {
        let items = svc::totals(&state, &auth.0, year.0).await?;
        Ok(Json(PaymentTotals { year: year.0, items: items.into_iter().map(Into::into).collect() }))
    }

    /// 经费拨付记录 One payment.
    #[oai(path = "/payments/:id", method = "get")]
    async fn get_payment(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<PaymentOut>> {
        Ok(Json(svc::get_payment(&state, &auth.0, id.0).await?.into()))
    }

    /// 拨付 Mark a payment disbursed (bureau).
    #[oai(path = "/payments/:id/disburse", method = "post")]
    async fn disburse(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<PaymentOut>> {
        Ok(Json(svc::disburse(&state, &auth.0, id.0).await?.into()))
    }
}
