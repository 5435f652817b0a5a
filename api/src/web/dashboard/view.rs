//! What the dashboard template shows, as data: the cards, the two charts'
//! geometry ([`super::charts`]) and the tables, built from the same
//! [`Overview`] as `GET /api/v1/dashboard/overview`. Every card carries the
//! path of its figure in the overview JSON (`data-figure`), so a test can
//! compare the page with the API. No markup here: the template
//! (`dashboard.html`) writes it and escapes every text.

use entities::{
    dashboard::{Change, FUNNEL_STAGES, REASSESSMENT_WINDOW_DAYS, change, percent_label},
    report::Standing,
    resource::NoticeStatus,
};
use serde_json::{Value, json};

use super::charts;
use crate::services::dashboard::{Overview, Training, overdue::OverdueItem, resources::Money};

/// A figure card: its label, the figure (with its path in the overview
/// JSON), and a line under it, possibly a change from the previous period.
fn card(label: impl Into<String>, key: &str, value: impl ToString, aside: impl Into<String>) -> Value {
    json!({ "label": label.into(), "key": key, "value": value.to_string(), "aside": aside.into() })
}

/// "较上期 +50（+50.0%）" and whether it went up, down or stayed.
fn change_note(c: Change) -> Value {
    let class = match c.delta.signum() {
        1 => "up",
        -1 => "down",
        _ => "same",
    };
    let rel = c.permille.map(|p| format!("（{}{}.{}%）", if p < 0 { "-" } else { "+" }, p.abs() / 10, p.abs() % 10)).unwrap_or_default();
    json!({ "class": class, "text": format!("较上期 {:+}{rel}", c.delta) })
}

/// A table row: a heading cell and figures.
fn row(label: impl Into<String>, values: Vec<Value>) -> Value {
    json!({ "label": label.into(), "values": values })
}

fn signed(n: i64) -> Value {
    json!(format!("{n:+}"))
}

/// Current, previous, change, then the staff trained by level (附件3 order).
fn training_values(cur: &Training, prev: &Training) -> Vec<Value> {
    let mut v = vec![json!(cur.trainees), json!(prev.trainees), signed(change(cur.trainees, prev.trainees).delta)];
    v.extend(cur.labelled().iter().skip(1).map(|(_, n)| json!(n)));
    v
}

fn money_values(m: &Money) -> Vec<Value> {
    vec![json!(m.payments), json!(m.committed), json!(m.disbursed), json!(m.undisbursed()), json!(m.clawed_back), json!(m.to_recover)]
}

fn cards(o: &Overview) -> Vec<Value> {
    let label = o.scope.period.label_zh();
    let (c, t) = (&o.compliance, &o.training);
    let (a, n, f, r) = (&o.applications, &o.notices, &o.funding, &o.reassessments);
    let mut trainees = card("当期培训人数", "training.total.trainees", t.total.trainees, "");
    trainees["change"] = change_note(t.trainees_change);
    vec![
        card("已备案联盟", "alliances.registered", o.alliances.registered(), format!("联盟总数 {}", o.alliances.total)),
        card("成员单位", "members.units", o.members.units, format!("成员关系 {}", o.members.memberships)),
        card("本期应报联盟", "reports.owed", c.owed, label),
        card("已报送", "reports.handed_in", c.handed_in, format!("报送率 {}", percent_label(c.handed_in_permille()))),
        card("按时报送率", "reports.on_time_rate_label", percent_label(c.on_time_permille()), format!("按时报送 {}", c.on_time)),
        card("逾期未报（本期）", "reports.overdue", c.count(Standing::Overdue), ""),
        card("逾期报送（待审核）", "reports.late", c.count(Standing::Late), ""),
        card("已审核通过", "reports.accepted", c.count(Standing::Accepted), ""),
        trainees,
        card(
            "逾期未报（全部报送期）",
            "overdue.total",
            o.overdue.total,
            o.overdue.oldest_period.map(|p| format!("最早 {}", p.label_zh())).unwrap_or_default(),
        ),
        card("禁入期内的单位", "bans.active", o.bans.active, format!("90天内到期 {}", o.bans.ending_within_90_days)),
        card("投递失败的邮件", "mail.dead", o.mail.dead, format!("待发送 {}", o.mail.pending)),
        card(format!("{}年申报", a.year), "applications.total", a.total, format!("认定公布或立项 {}", a.funnel[3])),
        card("公示中", "notices.open", n.open, format!("本周（{}至{}）结束 {}", n.week.0, n.week.1, n.ending_this_week)),
        card("本周结束的公示", "notices.ending_this_week", n.ending_this_week, ""),
        card("待处理异议", "notices.open_objections", n.open_objections, "调查核实中"),
        card(format!("{}年经费（元）", f.year), "funding.total.committed", f.total.committed, "已记录的拨付额"),
        card("已拨付（元）", "funding.total.disbursed", f.total.disbursed, format!("已追回 {} 元", f.total.clawed_back)),
        card("待复评资源", "reassessments.total", r.total(), format!("已逾期 {}", r.overdue)),
    ]
}

fn overdue_rows(items: &[OverdueItem]) -> Vec<Value> {
    items
        .iter()
        .map(|it| {
            json!({
                "period": it.period.label_zh(), "due": it.due.to_string(), "days": it.days_overdue,
                "name": it.alliance_name, "alliance_id": it.alliance_id, "period_code": it.period.code(), "initiator": it.initiator_name,
                "contact": it.contact_person, "phone": it.office_phone,
                "state": if it.started { "填报中" } else { "未开始" },
            })
        })
        .collect()
}

fn resources(o: &Overview) -> Value {
    let (a, n, f, r) = (&o.applications, &o.notices, &o.funding, &o.reassessments);
    let beijing = entities::calendar::CHINA_OFFSET;
    let local = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&beijing).format("%Y-%m-%d %H:%M").to_string();
    let nums = |v: &[u64]| v.iter().map(|n| json!(n)).collect::<Vec<_>>();
    json!({
        "applications": {
            "year": a.year,
            "stages": FUNNEL_STAGES,
            "funnel": a.funnel_by_category.iter().map(|(c, s)| row(c.label_zh(), nums(s))).collect::<Vec<_>>(),
            "total": row("合计", nums(&a.funnel)),
            "by_status": a.by_status.iter().map(|(c, s, k)| json!({ "category": c.label_zh(), "status": s.label_zh(), "count": k })).collect::<Vec<_>>(),
        },
        "notices": {
            "from": n.week.0.to_string(), "to": n.week.1.to_string(),
            "items": n.ending.iter().map(|it| json!({
                "title": it.title, "id": it.id, "published": local(it.published_at), "ends": local(it.ends_at),
                "status": if it.status == NoticeStatus::Open { "公示中" } else { "公示期满" },
                "applications": it.applications, "objections": it.open_objections,
            })).collect::<Vec<_>>(),
        },
        "funding": {
            "year": f.year,
            "version": f.schedule_version.map_or_else(|| "尚无生效的支付标准".to_string(), |v| format!("现行支付标准第{v}版")),
            "by_category": f.by_category.iter().map(|(c, m)| row(c.label_zh(), money_values(m))).collect::<Vec<_>>(),
            "total": row("合计", money_values(&f.total)),
            "by_fee_item": f.by_fee_item.iter().map(|(item, m, unit)| row(item.label_zh(), vec![
                unit.map_or_else(|| json!("—"), |u| json!(u)), json!(m.quantity), json!(m.committed), json!(m.disbursed),
            ])).collect::<Vec<_>>(),
        },
        "reassessments": {
            "window": REASSESSMENT_WINDOW_DAYS,
            "rows": r.by_category.iter().map(|(c, od, soon)| row(c.label_zh(), nums(&[*od, *soon]))).collect::<Vec<_>>(),
            "total": row("合计", nums(&[r.overdue, r.due_soon])),
        },
    })
}

/// The template's context: the period, cards, charts and tables.
#[must_use]
pub fn context(o: &Overview, overdue: &[OverdueItem]) -> Value {
    let period = o.scope.period;
    let label = period.label_zh();
    let (c, t) = (&o.compliance, &o.training);
    let training_columns: Vec<&str> = t.total.labelled().iter().skip(1).map(|(l, _)| *l).collect();
    json!({
        "title": format!("统计看板 · {label}"),
        "period": { "code": period.code(), "label": label, "due": c.deadlines.report.due.to_string() },
        "today": o.today.to_string(),
        "cards": cards(o),
        "charts": [
            { "heading": "报送情况（近六期）", "chart": charts::compliance(&o.compliance_history) },
            { "heading": "培训人数（近六期）", "chart": charts::trainees(&t.trainees_history) },
        ],
        "standing": {
            "rows": c.by_standing.iter().map(|(s, n)| row(s.label_zh(), vec![json!(n)])).collect::<Vec<_>>(),
            "total": row("应报合计", vec![json!(c.owed)]),
        },
        "alliances": {
            "by_status": o.alliances.by_status.iter().map(|(s, n)| row(s.label_zh(), vec![json!(n)])).collect::<Vec<_>>(),
            "by_industry": o.alliances.by_industry.iter().map(|(i, n)| row(i.clone(), vec![json!(n)])).collect::<Vec<_>>(),
        },
        "members": o.members.by_kind.iter().map(|(k, u, m)| row(k.group_heading(), vec![json!(u), json!(m)])).collect::<Vec<_>>(),
        "training": {
            "previous": t.previous_period.map(|p| p.label_zh()).unwrap_or_default(),
            "columns": training_columns,
            "rows": t.by_category.iter().map(|(k, cur, p)| row(k.group_heading(), training_values(cur, p))).collect::<Vec<_>>(),
            "total": row("合计", training_values(&t.total, &t.previous_total)),
            "top": t.top_alliances.iter().map(|a| row(a.name.clone(), training_values(&a.current, &a.previous).into_iter().take(3).collect())).collect::<Vec<_>>(),
        },
        "overdue": { "shown": overdue.len(), "total": o.overdue.total, "items": overdue_rows(overdue) },
        "resources": resources(o),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_read_with_sign_and_percent() {
        assert_eq!(change_note(change(150, 100)), json!({ "class": "up", "text": "较上期 +50（+50.0%）" }));
        assert_eq!(change_note(change(2, 3)), json!({ "class": "down", "text": "较上期 -1（-33.3%）" }));
        assert_eq!(change_note(change(7, 0)), json!({ "class": "up", "text": "较上期 +7" }));
        assert_eq!(change_note(change(0, 0)), json!({ "class": "same", "text": "较上期 +0" }));
    }

    #[test]
    fn a_card_keeps_its_figure_as_text() {
        let c = card("按时报送率", "reports.on_time_rate_label", "83.3%", "按时报送 5");
        assert_eq!((c["key"].as_str(), c["value"].as_str()), (Some("reports.on_time_rate_label"), Some("83.3%")));
        assert_eq!(card("成员单位", "members.units", 12_u64, "")["value"], "12");
    }
}
