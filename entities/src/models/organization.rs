//! 单位: an organisation (DESIGN §3).

use sea_orm::entity::prelude::*;

use crate::enums::OrgKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "organizations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// 统一社会信用代码, validated on the way in (GB 32100-2015).
    #[sea_orm(unique)]
    pub credit_code: String,
    pub kind: OrgKind,
    pub registered_in_dongguan: bool,
    pub independent_legal_person: bool,
    /// 高等院校 (000 第十九条(一)); reported under its kind, 职业院校 or 其他
    /// (`OrgKind::may_be_higher_education`).
    pub higher_education: bool,
    pub address: String,
    pub postcode: String,
    pub email: String,
    pub legal_representative: String,
    pub contact_person: String,
    pub office_phone: String,
    pub mobile: String,
    pub fax: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub profile: Option<String>,
    /// Set by bureau staff when the business licence can be fetched by the credit code (003 §二(六)).
    pub credit_code_verified: bool,
    /// Optimistic-lock version for `If-Match`.
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
