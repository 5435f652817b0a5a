//! Keyset pagination shared by every list (DESIGN §9): `limit` (default 20,
//! max 200) and an opaque `cursor`; answers carry `items` and `next_cursor`.
//! Lists are ordered by their UUID v7 id, i.e. by creation time.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

pub const DEFAULT_LIMIT: u64 = 20;
pub const MAX_LIMIT: u64 = 200;

#[derive(Debug, Clone, Copy)]
pub struct PageParams {
    pub limit: u64,
    pub after: Option<Uuid>,
}

/// `limit`: default 20, 1 to 200.
///
/// # Errors
/// 422 naming `limit`.
pub fn parse_limit(limit: Option<u64>) -> ApiResult<u64> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(ApiError::field(
            "limit",
            format!("每页条数须在1到{MAX_LIMIT}之间"),
            format!("limit must be between 1 and {MAX_LIMIT}"),
        ));
    }
    Ok(limit)
}

/// A cursor decoded by `decode` (absent or empty: the first page).
///
/// # Errors
/// 422 naming `cursor` when it does not decode.
pub fn parse_cursor<T>(cursor: Option<&str>, decode: impl Fn(&str) -> Option<T>) -> ApiResult<Option<T>> {
    cursor
        .filter(|c| !c.is_empty())
        .map(|c| decode(c).ok_or_else(|| ApiError::field("cursor", "分页游标无效", "Invalid cursor")))
        .transpose()
}

impl PageParams {
    /// # Errors
    /// 422 naming `limit` or `cursor`.
    pub fn parse(limit: Option<u64>, cursor: Option<&str>) -> ApiResult<Self> {
        Ok(Self { limit: parse_limit(limit)?, after: parse_cursor(cursor, decode_cursor)? })
    }

    /// Rows to fetch: one more than the page, to know whether another follows.
    #[must_use]
    pub fn fetch(&self) -> u64 {
        self.limit + 1
    }

    /// Cuts the extra row and returns the cursor for the next page.
    pub fn finish<T>(&self, mut rows: Vec<T>, id: impl Fn(&T) -> Uuid) -> (Vec<T>, Option<String>) {
        let more = rows.len() as u64 > self.limit;
        rows.truncate(usize::try_from(self.limit).unwrap_or(usize::MAX));
        let next = if more { rows.last().map(|r| encode_cursor(id(r))) } else { None };
        (rows, next)
    }
}

fn encode_cursor(id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(id.as_bytes())
}

fn decode_cursor(c: &str) -> Option<Uuid> {
    let bytes = URL_SAFE_NO_PAD.decode(c).ok()?;
    Uuid::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_limits_are_checked() {
        let id = Uuid::now_v7();
        let p = PageParams::parse(Some(2), Some(&encode_cursor(id))).unwrap();
        assert_eq!(p.after, Some(id));
        assert!(PageParams::parse(Some(0), None).is_err());
        assert!(PageParams::parse(Some(201), None).is_err());
        assert!(PageParams::parse(None, Some("!!")).is_err());
        let (rows, next) = p.finish(vec![1, 2, 3], |_| id);
        assert_eq!(rows, vec![1, 2]);
        assert!(next.is_some());
    }
}
