//! 职业培训联盟成员单位登记表 (003 附件1) in the browser, laid out like the
//! paper form, filled by the member (or by the initiator on its behalf) with
//! every error shown beside its field. Saving is `members::save_form`, the
//! service behind `PUT /alliances/{id}/members/{org}/form`.

use poem::{
    Request, Response, handler,
    http::StatusCode,
    web::{Form, Path},
};
use poem_openapi::types::ToJSON;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Fields, St, Viewer, alliances::guard, error_page, form_errors, page, parse_body, posted, redirect, signed_in};
use crate::{
    error::{ApiError, ApiResult},
    routes::alliance_members::{MemberForm, MemberFormBody},
    services::alliances::{
        self as svc,
        members::{self, FormInput},
    },
    state::AppState,
};

/// Text fields of the form, in the paper's order, with their labels.
pub const TEXTS: [(&str, &str); 9] = [
    ("address", "通讯地址"),
    ("postcode", "邮政编码"),
    ("email", "电子邮箱"),
    ("legal_representative", "法定代表人"),
    ("contact_person", "联系人"),
    ("office_phone", "办公电话"),
    ("mobile", "手机"),
    ("fax", "传真"),
    ("profile", "单位简介"),
];

/// The staff counts, in the paper's groups.
pub const NUMBERS: [(&str, &str); 12] = [
    ("total_staff", "职工总数"),
    ("management", "管理人员"),
    ("title_senior", "专业技术职称（高级）"),
    ("title_intermediate", "专业技术职称（中级）"),
    ("title_junior", "专业技术职称（初级）"),
    ("skill_senior_technician", "职业技能等级（高级技师）"),
    ("skill_technician", "职业技能等级（技师）"),
    ("skill_senior_worker", "职业技能等级（高级工）"),
    ("skill_intermediate_worker", "职业技能等级（中级工）"),
    ("skill_junior_worker", "职业技能等级（初级工）"),
    ("skill_special", "职业技能等级（专项能力）"),
    ("general_workers", "普工"),
];

async fn context(state: &AppState, v: &Viewer, id: Uuid, org: Uuid) -> ApiResult<(Value, Option<Value>)> {
    let (a, access) = svc::load(&state.db, &v.caller, id).await?;
    if !members::may_read_form(access, org) {
        return Err(ApiError::not_found("成员单位登记表", "Member form"));
    }
    let today = state.clock.today();
    let view = svc::view(&state.db, a, today).await?;
    let member = view.members.iter().find(|m| m.organization.id == org).ok_or_else(|| ApiError::not_found("成员单位", "Member"))?;
    let existing = match members::get_form(state, &v.caller, id, org).await {
        Ok(f) => Some(MemberForm::from(f).to_json().unwrap_or(Value::Null)),
        Err(e) if e.status == StatusCode::NOT_FOUND => None,
        Err(e) => return Err(e),
    };
    let o = &member.organization;
    let ctx = json!({
        "alliance": { "id": view.alliance.id, "name": view.alliance.name },
        "org": { "id": o.id, "name": o.name, "kind_label": o.kind.label_zh() },
        "role": if o.id == view.alliance.initiator_org_id { "发起单位" } else { "成员单位" },
        "on_behalf": v.caller.organization_id != Some(org) && !v.caller.is_bureau(),
        // The bureau reads forms; members and the initiator fill them.
        "readonly": v.caller.is_bureau(),
        "texts": TEXTS,
        "numbers": NUMBERS,
    });
    // A unit's own record prefills its first form; nobody else sees it.
    let prefill = existing.or_else(|| {
        v.caller.belongs_to(org).then(|| {
            json!({
                "address": o.address, "postcode": o.postcode, "email": o.email,
                "legal_representative": o.legal_representative, "contact_person": o.contact_person,
                "office_phone": o.office_phone, "mobile": o.mobile, "fax": o.fax, "profile": o.profile,
            })
        })
    });
    Ok((ctx, prefill))
}

fn with(mut ctx: Value, extra: Value) -> Value {
    if let (Some(m), Some(e)) = (ctx.as_object_mut(), extra.as_object()) {
        m.extend(e.clone());
    }
    ctx
}

#[handler]
pub async fn show(req: &Request, state: St<'_>, p: Path<(Uuid, Uuid)>) -> Response {
    let v = guard!(signed_in(&state, req).await);
    match context(&state, &v, p.0.0, p.0.1).await {
        Ok((ctx, prefill)) => {
            let filled = prefill.as_ref().is_some_and(|f| f.get("version").is_some());
            let ctx = with(ctx, json!({ "title": "成员单位登记表", "values": prefill, "filled": filled }));
            page(StatusCode::OK, Some(&v), "member_form.html", ctx)
        }
        Err(e) => error_page(Some(&v), &e),
    }
}

#[handler]
pub async fn save(req: &Request, state: St<'_>, p: Path<(Uuid, Uuid)>, form: Form<Vec<(String, String)>>) -> Response {
    let f = Fields(form.0);
    let v = guard!(posted(&state, req, f.csrf()).await);
    let (id, org) = p.0;
    // Who may fill this form is settled before the form is read.
    let allowed = async {
        let (a, access) = svc::load(&state.db, &v.caller, id).await?;
        members::may_fill(access, &v.caller, &a, org)
    }
    .await;
    if let Err(e) = allowed {
        return error_page(Some(&v), &e);
    }
    let result = async {
        let names: Vec<&str> = TEXTS.iter().map(|(n, _)| *n).collect();
        let body: MemberFormBody = parse_body(f.to_json(&names, &NUMBERS)?)?;
        members::save_form(&state, &v.caller, id, org, FormInput::try_from(body)?).await
    }
    .await;
    match result {
        Ok(_) => redirect(&format!("/alliances/{id}?done=saved#members")),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => match context(&state, &v, id, org).await {
            Ok((ctx, _)) => {
                let ctx = with(ctx, json!({ "title": "成员单位登记表", "values": f.values(), "errors": form_errors(&e) }));
                page(StatusCode::UNPROCESSABLE_ENTITY, Some(&v), "member_form.html", ctx)
            }
            Err(e) => error_page(Some(&v), &e),
        },
        Err(e) => error_page(Some(&v), &e),
    }
}
