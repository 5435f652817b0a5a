//! A JSON answer written straight from its DTO with serde (issue 20).
//!
//! poem-openapi's `Json<T>` answers through `ToJSON`: it builds a
//! `serde_json::Value` tree of the whole answer (a `String` per key, a map node
//! per object) and then writes the tree. On the hot reads — the alliance
//! detail (50 members) and the report detail (30 members with their 附件2/附件3
//! figures) — that tree was most of the JSON layer's cost. [`Direct<T>`] has the
//! same schema, content type and documented response as `Json<T>` (the spec
//! does not change), and writes `T`'s `serde::Serialize` instead.
//!
//! The DTOs behind it derive `Serialize` beside `Object`, with the same names:
//! `#[serde_with::skip_serializing_none]` for the spec's omit-absent convention,
//! `rename_all = "snake_case"` on enums, and the timestamps through
//! [`rfc3339`] (poem-openapi writes `to_rfc3339()`, `+00:00`; chrono's serde
//! would write `Z`). [`same_as_to_json`] checks the two agree; each DTO tree
//! that answers through `Direct` has a test calling it with every optional
//! field present. The only difference is the key order: `ToJSON`'s map sorts
//! keys, serde writes them in declaration order.

use poem::{IntoResponse, Response};
use poem_openapi::{
    ApiResponse,
    payload::Payload,
    registry::{MetaMediaType, MetaResponse, MetaResponses, MetaSchemaRef, Registry},
    types::Type,
};
use serde::Serialize;

/// A JSON answer serialised directly (see the module).
pub struct Direct<T>(pub T);

const CONTENT_TYPE: &str = "application/json; charset=utf-8";

impl<T: Type> Payload for Direct<T> {
    const CONTENT_TYPE: &'static str = CONTENT_TYPE;

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Serialize + Send> IntoResponse for Direct<T> {
    fn into_response(self) -> Response {
        match serde_json::to_vec(&self.0) {
            Ok(body) => Response::builder().content_type(CONTENT_TYPE).body(body),
            Err(e) => {
                tracing::error!(error = %e, "answer not serialisable");
                poem::http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        }
    }
}

impl<T: Type + Serialize> ApiResponse for Direct<T> {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: "",
                status: Some(200),
                status_range: None,
                content: vec![MetaMediaType { content_type: CONTENT_TYPE, schema: Self::schema_ref() }],
                headers: vec![],
            }],
        }
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

/// Timestamps as poem-openapi writes them (`DateTime::to_rfc3339`).
pub mod rfc3339 {
    use chrono::{DateTime, Utc};
    use serde::Serializer;

    /// # Errors
    /// The serializer's.
    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.to_rfc3339())
    }

    /// For `Option<DateTime<Utc>>` (absent ones are skipped before this is called).
    pub mod option {
        use chrono::{DateTime, Utc};
        use serde::Serializer;

        /// # Errors
        /// The serializer's.
        #[allow(clippy::ref_option)]
        pub fn serialize<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
            match t {
                Some(t) => s.serialize_str(&t.to_rfc3339()),
                None => s.serialize_none(),
            }
        }
    }
}

/// `Some(difference)` when the serde answer and poem-openapi's `ToJSON` of
/// `value` are not the same JSON (for the DTOs' tests).
#[must_use]
pub fn same_as_to_json<T: Serialize + poem_openapi::types::ToJSON>(value: &T) -> Option<String> {
    let direct = serde_json::to_value(value).unwrap_or_default();
    let framework = value.to_json().unwrap_or_default();
    (direct != framework).then(|| format!("serde:   {direct}\nToJSON:  {framework}"))
}
