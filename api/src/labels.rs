//! Chinese labels of request fields, so every validation message names the
//! field in words a form-filler recognises ("邮政编码：须为6位数字").
//!
//! A field is labelled by the request body it belongs to (its schema's name
//! in the OpenAPI document, e.g. `NewSanctionBody`) and its name: a name that
//! means different things in different bodies (`kind`, `description`, `note`,
//! `title`, `name`, …) has an entry per body in [`IN_SCHEMA`]; every other
//! name has one label wherever it appears ([`field_label_zh`]). The test in
//! `body_check` walks the spec's request bodies and refuses a name shared by
//! several bodies unless it is listed in [`SAME_EVERYWHERE`] or every body
//! using it has its own entry.

/// Labels of fields whose meaning depends on the request body: (schema, field, label).
pub const IN_SCHEMA: &[(&str, &str, &str)] = &[
    ("NewSanctionBody", "kind", "处理类型"),
    ("NewSanctionBody", "description", "违规情况及处理依据"),
    ("NewSanctionBody", "organization_id", "被处理单位"),
    ("NewSanctionBody", "application_id", "关联申报"),
    ("ObjectionBody", "application_id", "申报项目"),
    ("AssessmentBody", "note", "评估意见"),
    ("AssessmentBody", "outcome", "评估结论"),
    ("RulingBody", "outcome", "处理结论"),
    ("FeeScheduleBody", "note", "调整依据"),
    ("UsageBody", "note", "说明"),
    ("InclusionBody", "note", "说明"),
    ("NoteBody", "note", "开发完成说明"),
    ("MilestoneBody", "note", "备注"),
    ("MilestoneBody", "kind", "开发环节"),
    ("DeliverableBody", "kind", "成果类型"),
    ("DeliverableBody", "description", "成果说明"),
    ("CalendarDay", "kind", "日期类型"),
    ("CalendarDay", "name", "名称"),
    ("CreateOrganization", "kind", "单位类型"),
    ("UpdateOrganization", "kind", "单位类型"),
    ("CreateOrganization", "name", "名称"),
    ("UpdateOrganization", "name", "名称"),
    ("CreateAlliance", "name", "联盟名称"),
    ("UpdateAlliance", "name", "联盟名称"),
    ("EnterpriseBody", "name", "使用企业名称"),
    ("AccessOccupationBody", "name", "职业名称"),
    ("CreateExpertBody", "name", "姓名"),
    ("LeaderBody", "name", "姓名"),
    ("PersonBody", "name", "姓名"),
    ("TeamMemberBody", "name", "姓名"),
    ("ObjectionBody", "name", "异议人姓名或单位名称"),
    ("ApplicationBody", "title", "项目名称"),
    ("ApplicationBody", "description", "项目简介"),
    ("CreateCallBody", "title", "标题"),
    ("CreateCallBody", "description", "公告说明"),
    ("BatchBody", "title", "标题"),
    ("CreateNoticeBody", "title", "标题"),
    ("PolicyBody", "title", "标题"),
    ("CreateExpertBody", "title", "职称或技能等级"),
    ("CreateExpertBody", "organization_id", "所在单位"),
    ("CreateUser", "organization_id", "所属单位"),
    ("AddMember", "organization_id", "成员单位"),
    ("CreateUser", "role", "角色"),
    ("TeamMemberBody", "role", "团队角色"),
];

/// Names used by several request bodies with one meaning (and one label) in all.
pub const SAME_EVERYWHERE: &[&str] = &[
    "address",
    "agreement_document_id",
    "charter_document_id",
    "comment",
    "contact_person",
    "credit_code",
    "document_id",
    "effective_date",
    "effective_from",
    "email",
    "expert_type",
    "fax",
    "general_workers",
    "higher_education",
    "independent_legal_person",
    "industry",
    "industry_code",
    "item",
    "lead_organization_id",
    "leader",
    "legal_representative",
    "licence_document_id",
    "management",
    "mobile",
    "office_phone",
    "password",
    "postcode",
    "profile",
    "reason",
    "reasons",
    "registered_in_dongguan",
    "report_document_id",
    "report_text",
    "skill_intermediate_worker",
    "skill_junior_worker",
    "skill_senior_technician",
    "skill_senior_worker",
    "skill_special",
    "skill_technician",
    "title_intermediate",
    "title_junior",
    "title_senior",
    "total_staff",
    "trainees",
    "username",
];

/// The label of `field` in the request body `schema` (its last path segment:
/// for `days[3].name` the label of `name`), else its label by name alone.
#[must_use]
pub fn field_label_in(schema: Option<&str>, field: &str) -> Option<&'static str> {
    let base = base_name(field);
    schema
        .and_then(|s| IN_SCHEMA.iter().find(|(sc, f, _)| *sc == s && *f == base).map(|(_, _, label)| *label))
        .or_else(|| field_label_zh(field))
}

fn base_name(field: &str) -> &str {
    let last = field.rsplit('.').next().unwrap_or(field);
    last.split('[').next().unwrap_or(last)
}

/// The label of `field` by its name alone; for `days[3].name` the label of `name`.
#[must_use]
pub fn field_label_zh(field: &str) -> Option<&'static str> {
    Some(match base_name(field) {
        "name" => "名称",
        "credit_code" => "统一社会信用代码",
        "kind" => "单位类型",
        "address" => "通讯地址",
        "postcode" => "邮政编码",
        "email" => "电子邮箱",
        "legal_representative" => "法定代表人",
        "contact_person" => "联系人",
        "office_phone" => "办公电话",
        "mobile" => "手机",
        "fax" => "传真",
        "profile" => "单位简介",
        "username" => "用户名",
        "display_name" => "姓名",
        "password" => "密码",
        "new_password" => "新密码",
        "current_password" => "当前密码",
        "admin_password" => "管理员密码",
        "organization_id" => "所属单位",
        "role" => "角色",
        "source_notice" => "来源通知",
        "days" => "日期",
        "date" => "日期",
        "year" => "年份",
        "file" => "文件",
        "limit" => "每页条数",
        "cursor" => "分页游标",
        "refresh_token" => "刷新令牌",
        "period" => "报送期",
        "summary_text" => "年终工作总结",
        "summary_document_id" => "年终工作总结附件",
        "comment" => "审核意见",
        "item" => "退回事项",
        "reason" => "理由",
        "effective_from" => "生效日期",
        "printed_textbook" => "纸质教材标准",
        "e_textbook" => "电子教材标准",
        "certified_course" => "认定技能培训课程标准",
        "online_course" => "线上课程标准",
        "evaluation_specification" => "评价规范标准",
        "theory_question_bank_level" => "公共理论题库标准",
        "integrated_case_course" => "工学一体化案例课程标准",
        "trainees" => "培训人次",
        "organisations" => "使用单位数",
        "assessed_on" => "评估日期",
        "note" => "说明",
        "active" => "启用状态",
        "agreement_document_id" => "开发协议文件",
        "amounts" => "经费标准",
        "application_id" | "application_ids" => "申报项目",
        "argument" => "异议理由",
        "basic" => "基本情况",
        "body" => "正文",
        "call_id" => "征集公告",
        "category" => "项目类别",
        "charter_document_id" => "章程文件",
        "closes_at" => "截止时间",
        "opens_at" => "开始时间",
        "code" | "occupation_code" => "职业编码",
        "occupation_name" => "职业名称",
        "confirmed_on" => "认定日期",
        "conflict" => "回避声明",
        "criteria" => "评分项",
        "deliverables" => "成果",
        "description" => "简介",
        "document_id" | "document_ids" | "documents" => "文件",
        "due_on" => "完成期限",
        "effective_date" => "生效日期",
        "enterprises" => "使用企业",
        "evidence" => "证明材料",
        "expert_type" => "专家类型",
        "funding_source" => "经费来源",
        "general_workers" => "普工",
        "governs" => "适用事项",
        "held_on" => "举行日期",
        "included" => "是否纳入开发计划",
        "independent_legal_person" => "是否具有独立法人资格",
        "registered_in_dongguan" => "是否在东莞注册",
        "higher_education" => "是否为高等院校",
        "industry" => "产业领域",
        "industry_code" => "行业代码",
        "ip_declared" => "知识产权声明",
        "issuer" => "发文单位",
        "item_counts" => "题目数量",
        "lead_organization_id" => "承担主体",
        "leader" => "负责人",
        "level" | "levels" => "等级",
        "licence_document_id" => "营业执照复印件",
        "main_writer" => "主笔人",
        "management" => "管理人员",
        "member_organization_ids" => "成员单位",
        "members_joined" => "当期加盟成员单位",
        "new_occupations" => "当期申报新职业（工种）",
        "special_abilities" => "当期申报专项职业能力",
        "number" => "文号",
        "organization_name" => "单位名称",
        "outcome" => "结论",
        "passed" => "是否通过",
        "people" => "人员",
        "phone" => "联系电话",
        "practical" => "操作技能题数量",
        "theory" => "理论知识题数量",
        "progress" => "工作进展",
        "qualification" => "职称或技能等级",
        "quantity" => "数量",
        "reasons" => "退回理由",
        "recommendation" => "评审建议",
        "report_document_id" => "联盟建立报告文件",
        "report_text" => "建立联盟的报告",
        "resource_kind" => "资源类型",
        "ruling" => "处理意见",
        "score" => "分数",
        "signed_on" => "签订日期",
        "size" => "专家人数",
        "specialty" => "专业领域",
        "team" => "团队",
        "title" => "标题",
        "title_senior" => "专业技术职称（高级）",
        "title_intermediate" => "专业技术职称（中级）",
        "title_junior" => "专业技术职称（初级）",
        "skill_senior_technician" => "职业技能等级（高级技师）",
        "skill_technician" => "职业技能等级（技师）",
        "skill_senior_worker" => "职业技能等级（高级工）",
        "skill_intermediate_worker" => "职业技能等级（中级工）",
        "skill_junior_worker" => "职业技能等级（初级工）",
        "skill_special" => "职业技能等级（专项职业能力）",
        "total_staff" => "职工总数",
        "trained_senior_technician" => "当期培训（高级技师）",
        "trained_technician" => "当期培训（技师）",
        "trained_senior_worker" => "当期培训（高级工）",
        "trained_intermediate_worker" => "当期培训（中级工）",
        "trained_junior_worker" => "当期培训（初级工）",
        "trained_special" => "当期培训（专项职业能力）",
        "trained_general_workers" => "当期培训（普工）",
        "trainees_last_3_years" => "近三年培训人次",
        "to_address" => "收件地址",
        "up_to" => "截至通知",
        "usage_report_document_id" => "使用报告",
        "user_id" => "账户",
        "valid_until" => "有效期至",
        "verified" => "已核验",
        "content_base64" => "文件内容",
        "filename" => "文件名",
        "industry_match" => "匹配产业",
        "wide_application" => "应用广泛",
        "content_fit" => "内容适用",
        "flexible_mode" => "模式灵活",
        "social_benefit" => "社会效益",
        "skill_level" => "技能等级",
        "title_level" => "职称等级",
        _ => return None,
    })
}

/// `msg` prefixed with the field's label unless it already names it.
#[must_use]
pub fn with_label_zh(field: &str, msg: &str) -> String {
    with_label_in(None, field, msg)
}

/// `msg` prefixed with the label `field` has in the request body `schema`
/// unless it already names it.
#[must_use]
pub fn with_label_in(schema: Option<&str>, field: &str, msg: &str) -> String {
    match field_label_in(schema, field) {
        Some(label) if !msg.contains(label) => format!("{label}：{msg}"),
        _ => msg.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_added_once() {
        assert_eq!(with_label_zh("postcode", "须为6位数字"), "邮政编码：须为6位数字");
        assert_eq!(with_label_zh("credit_code", "统一社会信用代码校验位错误"), "统一社会信用代码校验位错误");
        assert_eq!(with_label_zh("days[2].name", "不能为空"), "名称：不能为空");
        assert_eq!(with_label_zh("unknown", "x"), "x");
    }

    #[test]
    fn a_body_names_its_own_fields() {
        assert_eq!(with_label_in(Some("NewSanctionBody"), "kind", "缺少必填项"), "处理类型：缺少必填项");
        assert_eq!(with_label_in(Some("CreateOrganization"), "kind", "缺少必填项"), "单位类型：缺少必填项");
        assert_eq!(with_label_in(Some("AssessmentBody"), "note", "不能为空"), "评估意见：不能为空");
        assert_eq!(with_label_in(Some("TeamMemberBody"), "team[1].name", "不能为空"), "姓名：不能为空");
        // Unknown bodies and names shared in meaning fall back to the name's label.
        assert_eq!(with_label_in(Some("NoSuchBody"), "postcode", "须为6位数字"), "邮政编码：须为6位数字");
        assert_eq!(with_label_in(None, "kind", "x"), "单位类型：x");
    }
}
