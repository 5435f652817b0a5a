//! `me`: the signed-in account.

use poem::web::Data;
use poem_openapi::{Object, OpenApi, payload::Json};

use crate::{
    auth::BearerAuth,
    error::ApiResult,
    routes::{Tag, auth::NoContent, users::User},
    services::accounts,
    state::AppState,
    text::Str,
};

#[derive(Object)]
pub struct ChangePassword {
    current_password: Str,
    new_password: Str,
}

#[derive(Default)]
pub struct MeApi;

#[OpenApi(tag = "Tag::Me")]
impl MeApi {
    /// 当前用户 The signed-in user.
    #[oai(path = "/me", method = "get")]
    async fn me(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<Json<User>> {
        Ok(Json(accounts::get(&state, auth.0.user_id).await?.into()))
    }

    /// 修改密码 Change the own password.
    #[oai(path = "/me/password", method = "post")]
    async fn change_password(&self, state: Data<&AppState>, auth: BearerAuth, body: Json<ChangePassword>) -> ApiResult<NoContent> {
        accounts::change_password(&state, &auth.0, &body.current_password, &body.new_password).await?;
        Ok(NoContent::Done)
    }
}
