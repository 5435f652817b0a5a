//! Report exports (issue 4 acceptance 4): the XLSX opened with calamine has
//! the sheets, titles, category rows and 合计 of 003 附件2 and 附件3.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use tests::{
    TestApp,
    alliances::Filing,
    reports::{Row, report_path},
    spawn_app,
};

async fn download(app: &TestApp, path: &str, s: &tests::Session) -> (String, Vec<u8>) {
    let resp = app.send(app.request(reqwest::Method::GET, path, Some(s))).await;
    assert_eq!(resp.status(), 200, "{path}");
    let ct = resp.headers()["content-type"].to_str().unwrap().to_string();
    (ct, resp.bytes().await.unwrap().to_vec())
}

fn cell(sheet: &calamine::Range<Data>, row: u32, col: u32) -> String {
    sheet.get_value((row, col)).map(ToString::to_string).unwrap_or_default()
}

/// The row index of the line labelled `label` (column B).
fn find(sheet: &calamine::Range<Data>, label: &str) -> u32 {
    (0..sheet.height() as u32).find(|r| cell(sheet, *r, 1) == label).unwrap_or_else(|| panic!("no line {label}"))
}

async fn reported(app: &TestApp) -> (Filing, Vec<Row>, tests::Session) {
    let (mut f, mut staff) = app.alliance_registered_at("2025-11-03T09:00:00+08:00").await;
    app.travel("2026-01-10T09:00:00+08:00", &mut f, &mut staff).await;
    let rows = app.everyone_fills(&f, "2025H2").await;
    app.write_summary(&f, "2025H2").await;
    assert_eq!(app.submit_report(&f, "2025H2").await.0, 200);
    (f, rows, staff)
}

#[tokio::test]
async fn the_xlsx_export_lays_out_annex_2_and_annex_3_with_categories_and_totals() {
    let app = spawn_app().await;
    let (f, rows, staff) = reported(&app).await;
    let (ct, bytes) = download(&app, &report_path(&f, "2025H2", "/export.xlsx"), &f.initiator.session).await;
    assert!(ct.starts_with("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), "{ct}");
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    assert_eq!(wb.sheet_names(), ["附件2", "附件3"]);
    let total = Row::sum(&rows);

    let basic = wb.worksheet_range("附件2").unwrap();
    assert_eq!(cell(&basic, 0, 0), "附件2");
    assert_eq!(cell(&basic, 1, 0), "职业培训联盟基本情况表");
    assert_eq!(cell(&basic, 2, 0), "填写单位：东莞市智能装备职业培训联盟");
    // The form's own header line: 填写单位 … 职业培训联盟 填报日期 (003 附件2), nothing else.
    assert_eq!(cell(&basic, 2, 7), "填报日期：2026年01月10日");
    assert_eq!((cell(&basic, 3, 0), cell(&basic, 3, 2), cell(&basic, 3, 3)), ("序号".into(), "职工总数（人）".into(), "其中".into()));
    assert_eq!(
        (cell(&basic, 5, 7), cell(&basic, 5, 12), cell(&basic, 4, 13)),
        ("高级技师".into(), "专项职业能力".into(), "普工（人）".into())
    );
    let sum_row = find(&basic, "合计");
    assert_eq!(sum_row, 6, "合计 right under the header");
    for (i, v) in total.basic.iter().enumerate() {
        assert_eq!(cell(&basic, sum_row, i as u32 + 2), v.to_string(), "合计 column {i}");
    }
    assert_eq!(cell(&basic, sum_row, 2), "2100");
    let headings = ["一、企业", "二、职业院校", "三、技工院校", "四、职业培训机构", "五、科研机构", "六、行业协会", "七、其他"];
    let positions: Vec<u32> = headings.iter().map(|h| find(&basic, h)).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "categories in the order of 附件2: {positions:?}");
    // 一、企业: the lead and two enterprises (rows 2, 3 and 4 of the fill), then their member lines.
    let enterprise = positions[0];
    assert_eq!(cell(&basic, enterprise, 2), (200 + 300 + 400).to_string());
    assert_eq!(cell(&basic, enterprise + 1, 1), f.lead.org["name"].as_str().unwrap());
    assert_eq!(cell(&basic, enterprise + 1, 0), "1");
    assert_eq!(cell(&basic, enterprise + 1, 2), "200");
    assert_eq!(positions[1] - enterprise, 4, "three member lines under 一、企业");
    assert_eq!(positions[2] - positions[1], 1, "no vocational college");
    assert_eq!(cell(&basic, positions[1], 2), "0");
    assert_eq!(cell(&basic, positions[2] + 1, 1), f.initiator.org["name"].as_str().unwrap());
    let last = positions[6];
    assert!(cell(&basic, last + 2, 0).starts_with("填报联系人："), "{}", cell(&basic, last + 2, 0));

    let progress = wb.worksheet_range("附件3").unwrap();
    assert_eq!(cell(&progress, 1, 0), "职业培训联盟工作进展情况表");
    assert_eq!(cell(&progress, 2, 0), "填报单位：东莞市智能装备职业培训联盟");
    // 003 附件3: 填报单位 … 职业培训联盟 年 半年度, without a filling date.
    assert_eq!(cell(&progress, 2, 7), "2025年下半年度");
    assert_eq!(cell(&progress, 3, 2), "当期培训（人）");
    assert_eq!(cell(&progress, 4, 6), "当期组织企业职工开展职业技能等级培训（人）");
    let sum_row = find(&progress, "合计");
    for (i, v) in total.progress.iter().enumerate() {
        assert_eq!(cell(&progress, sum_row, i as u32 + 2), v.to_string(), "合计 column {i}");
    }
    // 003 附件3 prints 二、职业技术院校.
    find(&progress, "二、职业技术院校");
    let note = (0..progress.height() as u32).map(|r| cell(&progress, r, 0)).find(|c| c.starts_with("填报说明")).unwrap();
    assert!(note.contains("7月1日至12月31日为下半年度"));

    // CSV: both tables, 合计 first.
    let (ct, csv) = download(&app, &report_path(&f, "2025H2", "/export.csv"), &staff).await;
    assert!(ct.starts_with("text/csv"), "{ct}");
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with('\u{feff}'));
    assert!(csv.contains(&format!(",合计,{}\r\n", total.basic.iter().map(ToString::to_string).collect::<Vec<_>>().join(","))), "{csv}");
    assert!(csv.contains("附件3　职业培训联盟工作进展情况表") && csv.contains(",二、职业技术院校,"));

    // The bureau's workbook of the period.
    let (_, bytes) = download(&app, "/api/v1/reports/export.xlsx?period=2025H2", &staff).await;
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    assert_eq!(wb.sheet_names(), ["报送情况", "附件2汇总", "附件3汇总"]);
    let status = wb.worksheet_range("报送情况").unwrap();
    assert_eq!(
        (cell(&status, 2, 1), cell(&status, 2, 3), cell(&status, 2, 4)),
        ("东莞市智能装备职业培训联盟".into(), "已报送".into(), "6".into())
    );
    let sums = wb.worksheet_range("附件2汇总").unwrap();
    let r = find(&sums, "合计");
    assert_eq!(cell(&sums, r, 2), "2100");
    assert_eq!(cell(&sums, 2, 2), "2100");
    let sums = wb.worksheet_range("附件3汇总").unwrap();
    assert_eq!(cell(&sums, find(&sums, "合计"), 2), total.progress[0].to_string());
}

/// LibreOffice's `soffice`, when installed (`apt-get install libreoffice-calc-nogui`).
fn soffice() -> Option<&'static str> {
    ["soffice", "libreoffice"]
        .into_iter()
        .find(|b| std::process::Command::new(b).arg("--version").output().is_ok_and(|o| o.status.success()))
}

/// Pages of the PDF LibreOffice prints `xlsx` to.
fn printed_pages(soffice: &str, xlsx: &[u8]) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("report.xlsx");
    std::fs::write(&input, xlsx).unwrap();
    let profile = format!("-env:UserInstallation=file://{}/profile", dir.path().display());
    let out = std::process::Command::new(soffice)
        .args([profile.as_str(), "--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .arg(&input)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let pdf = std::fs::read(dir.path().join("report.pdf")).unwrap();
    let text = String::from_utf8_lossy(&pdf);
    let text = text.replace("/Type /", "/Type/");
    text.matches("/Type/Page").count() - text.matches("/Type/Pages").count()
}

/// Issue 16 item 6: each annex prints on one A4 landscape page, like the paper.
#[tokio::test]
async fn each_annex_prints_on_one_a4_landscape_page() {
    let Some(soffice) = soffice() else {
        eprintln!("print test skipped: LibreOffice (soffice) is not installed; apt-get install -y libreoffice-calc-nogui");
        return;
    };
    let app = spawn_app().await;
    let (f, _, _) = reported(&app).await;
    let (_, bytes) = download(&app, &report_path(&f, "2025H2", "/export.xlsx"), &f.initiator.session).await;
    assert_eq!(printed_pages(soffice, &bytes), 2, "附件2 and 附件3, one page each (three pages wide before)");
}
