//! Small builders shared by migrations: a foreign key and an index in one line.

use sea_orm_migration::prelude::*;

/// `FOREIGN KEY (from_col) REFERENCES to_table(to_col)`; deletes are restricted
/// (nothing in the registry is deleted by cascade).
pub fn fk(table: &'static str, from_col: &'static str, to_table: &'static str, to_col: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{from_col}"))
        .from(table, from_col)
        .to(to_table, to_col)
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

/// A unique index named `ux_<table>_<cols>`.
pub fn unique(table: &'static str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut stmt = index(table, cols);
    stmt.name(format!("ux_{table}_{}", cols.join("_"))).unique();
    stmt
}

/// A plain index named `ix_<table>_<cols>`.
pub fn index(table: &'static str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(format!("ix_{table}_{}", cols.join("_"))).table(table);
    for col in cols {
        stmt.col(*col);
    }
    stmt.to_owned()
}
