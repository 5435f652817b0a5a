//! A unit joining a registered alliance (003 §二(四)(六), DESIGN §4): the
//! filing of every member includes its registration form (附件1) and its
//! signature of the charter (章程由全体成员单位签署), so a join is complete
//! only when both are in — the signature being of the charter in force. Until
//! then the membership is *pending*: shown as such, but not a member for the
//! composition rules, the public directory or the half-year reports.

/// What a pending join still lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinItem {
    /// 003 §二(六)3: the member registration form (附件1).
    MemberForm,
    /// 003 §二(四)(六)4: the signature of the current charter.
    CharterSignature,
}

impl JoinItem {
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::MemberForm => "member_form",
            Self::CharterSignature => "charter_signature",
        }
    }

    #[must_use]
    pub fn zh(self) -> &'static str {
        match self {
            Self::MemberForm => "填报成员单位登记表（附件1）",
            Self::CharterSignature => "签署联盟现行章程",
        }
    }
}

/// What a joining unit still has to provide (empty: the join is complete).
#[must_use]
pub fn join_missing(form_in: bool, signed_current_charter: bool) -> Vec<JoinItem> {
    let mut out = Vec::new();
    if !form_in {
        out.push(JoinItem::MemberForm);
    }
    if !signed_current_charter {
        out.push(JoinItem::CharterSignature);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_join_is_complete_only_with_form_and_signature() {
        use JoinItem::*;
        let cases = [
            (false, false, vec![MemberForm, CharterSignature]),
            (true, false, vec![CharterSignature]),
            (false, true, vec![MemberForm]),
            (true, true, vec![]),
        ];
        for (form, signed, missing) in cases {
            assert_eq!(join_missing(form, signed), missing, "form {form}, signed {signed}");
        }
    }
}
