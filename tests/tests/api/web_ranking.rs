//! Issue 17 leftovers: the bureau's ranking page in pages of 50 with ranks
//! over the whole call (the same order and ranks as the API, whose pages
//! agree with one another), the choice of the proposed list kept across
//! pages (ticks carried by the form) or made as "the first N", and the
//! refusals (wrong role, a bad N).

use entities::{
    OrgKind,
    models::{application, panel_member, review},
};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use serde_json::Value;
use tests::{TestApp, USER_PASSWORD, spawn_app, web::WebClient};
use uuid::Uuid;

/// Copies of the scored application `id`, one per score (hundredths; None:
/// drawn but unscored), each with its own seat and review, written directly
/// so that a call has more applications than one page.
async fn copies(app: &TestApp, id: &str, scores: &[Option<i32>]) {
    let id: Uuid = id.parse().unwrap();
    let a = application::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
    let seat = panel_member::Entity::find().filter(panel_member::Column::ApplicationId.eq(id)).one(&app.db).await.unwrap().unwrap();
    let r = review::Entity::find().filter(review::Column::ApplicationId.eq(id)).one(&app.db).await.unwrap().unwrap();
    for (i, score) in scores.iter().enumerate() {
        let mut copy = a.clone().into_active_model().reset_all();
        let new_id = Uuid::now_v7();
        copy.id = Set(new_id);
        copy.number = Set(Some(format!("DGJN-2026-9{i:03}")));
        copy.title = Set(format!("排名测试项目{i}"));
        copy.insert(&app.db).await.unwrap();
        let Some(score) = score else { continue };
        let mut s = seat.clone().into_active_model().reset_all();
        let seat_id = Uuid::now_v7();
        s.id = Set(seat_id);
        s.application_id = Set(new_id);
        s.insert(&app.db).await.unwrap();
        let mut rv = r.clone().into_active_model().reset_all();
        rv.id = Set(Uuid::now_v7());
        rv.application_id = Set(new_id);
        rv.panel_member_id = Set(seat_id);
        rv.score_hundredths = Set(*score);
        rv.insert(&app.db).await.unwrap();
    }
}

/// (application id, rank shown) of each row of a ranking page, in order.
fn rows(html: &str) -> Vec<(String, String)> {
    html.split("<tr data-id=\"")
        .skip(1)
        .map(|row| {
            let id = row.split('"').next().unwrap().to_string();
            let rank = row.split("<td class=\"num rank\">").nth(1).unwrap().split('<').next().unwrap().to_string();
            (id, rank)
        })
        .collect()
}

/// The cursor of the "下一页" button, if any.
fn next_page(html: &str) -> Option<String> {
    let (before, _) = html.split_once("id=\"next-page\"")?;
    Some(before.rsplit("value=\"").next()?.split('"').next()?.to_string())
}

fn hidden_ids(html: &str) -> Vec<String> {
    html.split("type=\"hidden\" name=\"application_ids\" value=\"").skip(1).map(|r| r.split('"').next().unwrap().to_string()).collect()
}

#[tokio::test]
async fn the_ranking_shows_pages_of_50_with_ranks_over_the_whole_call_and_keeps_the_choice_across_pages() {
    let app = spawn_app().await;
    app.set_now("2026-06-01T10:00:00+08:00").await;
    let staff = app.login("bureau_staff", None).await;
    let call = app.open_call(&staff, "training_resource").await;
    let pool = app.experts(&staff, &[None]).await;
    let a = app.applicant(OrgKind::TrainingInstitution, "rank@web.dg.cn").await;
    let body = app.certification_body(a.session(), &call, "工业机器人系统操作员线上课程").await;
    let (id, _) = app.submitted_application(a.session(), &body).await;
    let panel = app.draw_panel(&staff, &id, 1).await;
    app.declare_and_score(&pool, &panel, &id, &[[80; 5]]).await;
    // 59 more scored in tied threes, one unscored: 61 applications, two pages.
    let scores: Vec<Option<i32>> = (0..59).map(|i| Some(6000 + (i % 20) * 100)).chain([None]).collect();
    copies(&app, &id, &scores).await;

    // The API in one page: ranks are 1 + the number of strictly higher means, unscored last without a rank.
    let (status, all) = app.get(&format!("/api/v1/calls/{call}/ranking?limit=200"), Some(&staff)).await;
    assert_eq!(status, 200, "{all}");
    let items = all["items"].as_array().unwrap();
    assert_eq!(items.len(), 61);
    let means: Vec<Option<u64>> = items.iter().map(|i| i["score"]["mean_hundredths"].as_u64()).collect();
    for (i, item) in items.iter().enumerate() {
        let want = means[i].map(|m| 1 + means.iter().filter(|x| x.is_some_and(|x| x > m)).count() as u64);
        assert_eq!(item["rank"].as_u64(), want, "row {i}: {item}");
        if i > 0 {
            assert!(means[i].is_none() || means[i - 1] >= means[i], "ordered by mean");
        }
    }
    assert_eq!(means[0], Some(8000));
    assert_eq!(means[60], None, "unscored last");
    let shown =
        |v: &Value| (v["application"]["id"].as_str().unwrap().to_string(), v["rank"].as_u64().map_or("—".into(), |r| r.to_string()));
    let whole: Vec<(String, String)> = items.iter().map(shown).collect();

    // The API in pages of 20 gives the same.
    let (mut paged, mut cursor) = (Vec::new(), String::new());
    loop {
        let (status, page) = app.get(&format!("/api/v1/calls/{call}/ranking?limit=20&cursor={cursor}"), Some(&staff)).await;
        assert_eq!(status, 200, "{page}");
        paged.extend(page["items"].as_array().unwrap().iter().map(shown));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => break,
        }
    }
    assert_eq!(paged, whole);

    // The page: 50 rows, then 11 through "下一页", ranks over the whole call.
    let web = WebClient::sign_in(&app, &staff.username, USER_PASSWORD).await;
    let ranking = format!("/bureau/calls/{call}/ranking");
    let first = web.get(&ranking).await;
    assert_eq!(first.status, 200);
    let next = next_page(&first.body).expect("a second page");
    let second = web.get(&format!("{ranking}?cursor={next}")).await;
    assert_eq!(second.status, 200);
    let (p1, p2) = (rows(&first.body), rows(&second.body));
    assert_eq!((p1.len(), p2.len()), (50, 11));
    assert_eq!([p1.clone(), p2.clone()].concat(), whole);
    assert_eq!(p2[0].1, whole[50].1, "rank 51 (or the rank it shares) on page 2");
    assert!(next_page(&second.body).is_none() && second.body.contains("id=\"first-page\""));

    // A tick made on page 2 travels with page 1 as a hidden field and is still ticked back on page 2.
    let picked = &p2[0].0;
    let back = web.get(&format!("{ranking}?application_ids={picked}")).await.body;
    assert_eq!(hidden_ids(&back), vec![picked.clone()]);
    let again = web.get(&format!("{ranking}?cursor={next}&application_ids={picked}")).await.body;
    assert!(again.contains(&format!("value=\"{picked}\" id=\"pick-{picked}\" checked")), "ticked again");
    assert!(hidden_ids(&again).is_empty(), "shown as its checkbox, not twice");

    // "The first 3" and the tick: the preview lists the three best under review, then the tick.
    let preview = web.get(&format!("/bureau/notices/new?call={call}&top=3&application_ids={picked}")).await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    let best: Vec<String> =
        items.iter().filter(|i| i["application"]["status"] == "under_review" && i["rank"].is_u64()).take(3).map(|i| shown(i).0).collect();
    assert_eq!(hidden_ids(&preview.body), [best, vec![picked.clone()]].concat());
    let bad = web.get(&format!("/bureau/notices/new?call={call}&top=abc")).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("前 N 名须为1到200之间的整数"), "{}", bad.body);

    // Other roles: 403 for the pages and the choice.
    let applicant = WebClient::sign_in(&app, &a.session().username, USER_PASSWORD).await;
    let expert = WebClient::sign_in(&app, &pool[0].session.username, USER_PASSWORD).await;
    for w in [&applicant, &expert] {
        assert_eq!(w.get(&format!("{ranking}?cursor={next}")).await.status, 403);
        assert_eq!(w.get(&format!("/bureau/notices/new?call={call}&top=3")).await.status, 403);
    }
    let (status, _) = app.get(&format!("/api/v1/calls/{call}/ranking?limit=20"), Some(a.session())).await;
    assert_eq!(status, 403);
}
