//! The demo data set: organisations of all seven kinds with Chinese names and
//! valid credit codes, users for each role, and an expert pool of 20.
//! Loading twice changes nothing (rows are keyed by credit code / username).
//! [`load`] adds the story ([`story`], [`funnel`]): alliances, reports and
//! applications dated back from today.

mod funnel;
pub mod story;

use entities::{
    OrgKind, Role,
    models::{organization, user},
    values::compute_check_char,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::{
    services::{
        accounts::{self, NewUser},
        organizations::{self, OrgFields},
    },
    state::AppState,
};

/// Password of every demo account (never used outside demo data).
pub const DEMO_PASSWORD: &str = "Demo@2026dg";

/// (name, kind, registration-authority prefix, serial)
const ORGS: [(&str, OrgKind, &str); 15] = [
    ("东莞市松山湖智能装备有限公司", OrgKind::Enterprise, "91"),
    ("东莞市长安精密模具有限公司", OrgKind::Enterprise, "91"),
    ("东莞市虎门服装智造有限公司", OrgKind::Enterprise, "91"),
    ("东莞市大朗毛织科技有限公司", OrgKind::Enterprise, "91"),
    ("东莞市城市职业学院", OrgKind::VocationalCollege, "12"),
    ("东莞市工贸职业技术学院", OrgKind::VocationalCollege, "12"),
    ("东莞市高级技工学校", OrgKind::TechnicalSchool, "12"),
    ("东莞市机电技工学校", OrgKind::TechnicalSchool, "12"),
    ("东莞市南粤职业培训学校", OrgKind::TrainingInstitution, "52"),
    ("东莞市匠心职业技能培训中心", OrgKind::TrainingInstitution, "52"),
    ("东莞市智能制造研究院", OrgKind::ResearchInstitute, "12"),
    ("东莞市新材料产业研究院", OrgKind::ResearchInstitute, "12"),
    ("东莞市模具行业协会", OrgKind::IndustryAssociation, "51"),
    ("东莞市电子信息产业协会", OrgKind::IndustryAssociation, "51"),
    ("东莞市人力资源服务产业园运营中心", OrgKind::Other, "91"),
];

const EXPERTS: [&str; 20] = [
    "陈志强",
    "李华",
    "张伟",
    "王芳",
    "刘洋",
    "黄敏",
    "周杰",
    "吴静",
    "徐磊",
    "孙丽",
    "马超",
    "朱琳",
    "胡斌",
    "郭燕",
    "何勇",
    "高翔",
    "林娜",
    "罗刚",
    "梁晓",
    "宋佳",
];

/// A valid credit code for demo organisation `n` (Dongguan region 441900).
#[must_use]
pub fn demo_credit_code(prefix: &str, n: usize) -> String {
    let first17 = format!("{prefix}441900{:09}", 300_000_000 + n * 7919);
    let check = compute_check_char(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

fn org_fields(n: usize, name: &str, kind: OrgKind, prefix: &str) -> OrgFields {
    OrgFields {
        name: name.to_string(),
        credit_code: demo_credit_code(prefix, n),
        kind,
        registered_in_dongguan: true,
        higher_education: false,
        independent_legal_person: true,
        address: format!("广东省东莞市南城街道鸿福路{}号", 100 + n),
        postcode: "523000".into(),
        email: format!("contact{n:02}@example.dg.cn"),
        legal_representative: EXPERTS[(n + 7) % 20].chars().rev().collect(),
        contact_person: EXPERTS[(n + 3) % 20].to_string(),
        office_phone: format!("0769-2288{:04}", 1000 + n),
        mobile: format!("1380769{:04}", 1000 + n),
        fax: Some(format!("0769-2299{:04}", 1000 + n)),
        profile: Some(format!("{name}是东莞市{}，长期参与职业技能培训工作。", kind.label_zh())),
    }
}

/// Loads the demo set and its story (`serve --demo`, `api demo`); a second
/// load changes nothing.
///
/// # Errors
/// Database errors, a story step refused by its service.
pub async fn load(state: &AppState) -> anyhow::Result<()> {
    load_accounts(state).await?;
    let started = std::time::Instant::now();
    let alliances = story::load(state).await?;
    if alliances > 0 {
        println!(
            "demo story: {alliances} alliances with their reports and applications, dated back from {} ({} ms)",
            state.clock.today(),
            started.elapsed().as_millis()
        );
    }
    Ok(())
}

/// Loads the organisations, accounts, expert pool and the registered demo
/// alliance (no story), skipping rows that exist.
///
/// # Errors
/// Database errors.
pub async fn load_accounts(state: &AppState) -> anyhow::Result<()> {
    let mut created = 0usize;
    let mut org_ids = Vec::new();
    for (n, (name, kind, prefix)) in ORGS.iter().enumerate() {
        let fields = org_fields(n + 1, name, *kind, prefix);
        let existing = organization::Entity::find().filter(organization::Column::CreditCode.eq(&fields.credit_code)).one(&state.db).await?;
        let id = match existing {
            Some(o) => o.id,
            None => {
                created += 1;
                organizations::insert(state, None, fields).await.map_err(|e| anyhow::anyhow!("demo organisation {name}: {e}"))?.id
            }
        };
        org_ids.push(id);
    }
    let mut users: Vec<NewUser> = vec![
        new_user("staff01", "王晓明", Role::BureauStaff, None),
        new_user("staff02", "赵丽娟", Role::BureauStaff, None),
        new_user("admin02", "钱建国", Role::BureauAdmin, None),
    ];
    for (n, id) in org_ids.iter().enumerate() {
        users.push(new_user(&format!("org{:02}", n + 1), &format!("{}联络员", ORGS[n].0), Role::OrgUser, Some(*id)));
    }
    for (n, name) in EXPERTS.iter().enumerate() {
        users.push(new_user(&format!("expert{:02}", n + 1), name, Role::Expert, None));
    }
    for u in users {
        if user::Entity::find().filter(user::Column::Username.eq(&u.username)).one(&state.db).await?.is_none() {
            created += 1;
            let name = u.username.clone();
            accounts::create(state, None, u).await.map_err(|e| anyhow::anyhow!("demo user {name}: {e}"))?;
        }
    }
    created += demo_expert_pool(state, &org_ids).await?;
    created += demo_alliance(state).await?;
    println!(
        "demo data: {created} rows created (organisations: org01–org15 users, staff01/staff02, admin02, expert01–expert20 (all in the expert pool); password {DEMO_PASSWORD})"
    );
    Ok(())
}

/// The 20 expert accounts in the pool (专家库): types in turn, every fourth of a demo organisation
/// (so the draw's exclusion of the applicant's own experts can be seen).
async fn demo_expert_pool(state: &AppState, org_ids: &[uuid::Uuid]) -> anyhow::Result<usize> {
    use entities::{models::expert, resource::ExpertType};
    use sea_orm::{ActiveModelTrait, Set};
    let now = state.clock.now();
    let mut created = 0;
    for (n, name) in EXPERTS.iter().enumerate() {
        let Some(u) = user::Entity::find().filter(user::Column::Username.eq(format!("expert{:02}", n + 1))).one(&state.db).await? else {
            continue;
        };
        if expert::Entity::find().filter(expert::Column::UserId.eq(u.id)).one(&state.db).await?.is_some() {
            continue;
        }
        let org = (n % 4 == 0).then(|| org_ids.get(n % org_ids.len().max(1)).copied()).flatten();
        let org_name = org.and_then(|id| org_ids.iter().position(|o| *o == id)).map_or("东莞理工学院", |i| ORGS[i].0);
        expert::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            user_id: Set(Some(u.id)),
            name: Set((*name).to_string()),
            specialty: Set(["智能制造", "电子信息", "现代服务", "数字经济"][n % 4].to_string()),
            title: Set(["正高级工程师", "高级技师", "副教授", "高级经济师"][n % 4].to_string()),
            organization_id: Set(org),
            organization_name: Set(org_name.to_string()),
            expert_type: Set([ExpertType::Method, ExpertType::Content, ExpertType::Practical][n % 3]),
            active: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&state.db)
        .await?;
        created += 1;
    }
    Ok(created)
}

/// A small valid PDF for demo attachments.
const DEMO_PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

const DEMO_ALLIANCE: &str = "东莞市智能装备职业培训联盟";

async fn caller(state: &AppState, username: &str) -> anyhow::Result<crate::auth::Caller> {
    let u = user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(&state.db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo user {username} missing"))?;
    Ok(crate::auth::Caller { user_id: u.id, username: u.username, role: u.role, organization_id: u.organization_id })
}

/// A registered alliance through the real flow: 东莞市高级技工学校 (org07)
/// initiates, 东莞市松山湖智能装备有限公司 (org01) leads, with two more
/// enterprises, a training institution and a research institute. Returns the
/// rows it created (0 when it exists).
async fn demo_alliance(state: &AppState) -> anyhow::Result<usize> {
    use entities::models::alliance;

    use crate::services::alliances::{self as alliances, members::FormInput, review};
    let exists = alliance::Entity::find().filter(alliance::Column::Name.eq(DEMO_ALLIANCE)).one(&state.db).await?.is_some();
    if exists {
        return Ok(0);
    }
    let err = |what: &'static str| move |e: crate::error::ApiError| anyhow::anyhow!("demo alliance, {what}: {e}");
    let initiator = caller(state, "org07").await?;
    let staff = caller(state, "staff01").await?;
    let members = ["org01", "org02", "org03", "org09", "org11"];
    let mut member_callers = Vec::new();
    for m in members {
        member_callers.push(caller(state, m).await?);
    }
    let agreement =
        crate::services::documents::store(state, &initiator, "合作协议.pdf", DEMO_PDF.to_vec()).await.map_err(err("agreement"))?;
    let charter = crate::services::documents::store(state, &initiator, "联盟章程.pdf", DEMO_PDF.to_vec()).await.map_err(err("charter"))?;
    let fields = alliances::DraftFields {
        name: Some(DEMO_ALLIANCE.into()),
        industry: Some("智能装备制造".into()),
        industry_code: Some(Some("C34".into())),
        lead_org_id: member_callers[0].organization_id,
        agreement_doc_id: Some(Some(agreement.id)),
        charter_doc_id: Some(Some(charter.id)),
        report_text: Some(Some("东莞市高级技工学校关于建立东莞市智能装备职业培训联盟的报告：由本校发起，东莞市松山湖智能装备有限公司为承担主体，联合同行业企业、职业培训机构和科研机构共同组建。".into())),
        report_doc_id: Some(None),
        licence_doc_id: Some(None),
    };
    let others: Vec<uuid::Uuid> = member_callers.iter().skip(1).filter_map(|c| c.organization_id).collect();
    let a = alliances::create(state, &initiator, fields, others).await.map_err(err("draft"))?;
    let mut everyone = vec![initiator.clone()];
    everyone.extend(member_callers);
    for (i, c) in everyone.iter().enumerate() {
        let org = c.organization_id.ok_or_else(|| anyhow::anyhow!("demo user without organisation"))?;
        let total = 120 + 80 * i64::try_from(i).unwrap_or(0);
        let counts = story::staff_counts(total);
        let form = FormInput {
            address: format!("广东省东莞市南城街道鸿福路{}号", 100 + i),
            postcode: "523000".into(),
            email: format!("alliance{i}@example.dg.cn"),
            legal_representative: EXPERTS[(i + 7) % 20].chars().rev().collect(),
            contact_person: EXPERTS[(i + 3) % 20].into(),
            office_phone: format!("0769-2288{:04}", 2000 + i),
            mobile: format!("1380769{:04}", 2000 + i),
            fax: None,
            profile: None,
            counts,
        };
        alliances::members::save_form(state, c, a.id, org, form).await.map_err(err("form"))?;
        alliances::members::sign_charter(state, c, a.id).await.map_err(err("charter signature"))?;
    }
    let initiator_org = initiator.organization_id.ok_or_else(|| anyhow::anyhow!("initiator without organisation"))?;
    crate::services::organizations::set_credit_code_verified(state, &staff, initiator_org, true).await.map_err(err("verification"))?;
    review::submit(state, &initiator, a.id, None).await.map_err(err("submit"))?;
    let number = review::register(state, &staff, a.id).await.map_err(err("register"))?;
    println!("demo alliance {DEMO_ALLIANCE}: registered as {number}");
    Ok(1 + everyone.len())
}

fn new_user(username: &str, display_name: &str, role: Role, organization_id: Option<uuid::Uuid>) -> NewUser {
    NewUser {
        username: username.to_string(),
        display_name: display_name.to_string(),
        email: Some(format!("{username}@example.dg.cn")),
        role,
        organization_id,
        password: Some(DEMO_PASSWORD.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use entities::values::CreditCode;

    use super::*;

    #[test]
    fn demo_credit_codes_are_valid_and_distinct() {
        let codes: Vec<String> = ORGS.iter().enumerate().map(|(n, (_, _, p))| demo_credit_code(p, n + 1)).collect();
        for c in &codes {
            CreditCode::parse("credit_code", c).unwrap();
        }
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), codes.len());
    }

    #[test]
    fn all_seven_kinds_are_present() {
        for kind in OrgKind::ALL {
            assert!(ORGS.iter().any(|(_, k, _)| *k == kind), "{kind:?}");
        }
    }
}
