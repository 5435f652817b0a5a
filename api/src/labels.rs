//! Chinese labels of request fields, so every validation message names the
//! field in words a form-filler recognises ("邮政编码：须为6位数字").

/// The label of `field`; for `days[3].name` the label of `name`.
#[must_use]
pub fn field_label_zh(field: &str) -> Option<&'static str> {
    let last = field.rsplit('.').next().unwrap_or(field);
    let base = last.split('[').next().unwrap_or(last);
    Some(match base {
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
        _ => return None,
    })
}

/// `msg` prefixed with the field's label unless it already names it.
#[must_use]
pub fn with_label_zh(field: &str, msg: &str) -> String {
    match field_label_zh(field) {
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
}
