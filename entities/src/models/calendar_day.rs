//! One special day: an official holiday or a make-up working day (调休上班).

use sea_orm::entity::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Kind {
    #[sea_orm(string_value = "holiday")]
    Holiday,
    #[sea_orm(string_value = "makeup_workday")]
    MakeupWorkday,
}

impl From<Kind> for crate::calendar::DayKind {
    fn from(kind: Kind) -> Self {
        match kind {
            Kind::Holiday => Self::Holiday,
            Kind::MakeupWorkday => Self::MakeupWorkday,
        }
    }
}

impl From<crate::calendar::DayKind> for Kind {
    fn from(kind: crate::calendar::DayKind) -> Self {
        match kind {
            crate::calendar::DayKind::Holiday => Self::Holiday,
            crate::calendar::DayKind::MakeupWorkday => Self::MakeupWorkday,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "calendar_days")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub date: Date,
    pub year: i32,
    pub kind: Kind,
    pub name: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl From<Model> for crate::calendar::SpecialDay {
    fn from(m: Model) -> Self {
        Self { date: m.date, kind: m.kind.into(), name: m.name }
    }
}
