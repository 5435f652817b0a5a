//! Documents: upload (PDF, PNG, DOCX, XLSX checked by content, ≤ 20 MiB),
//! metadata and download for those allowed, 404 for everyone else, and
//! refusals that store nothing.
//!
//! The sample files are real, minimal ones built here: a one-page PDF with a
//! correct xref table, a 1×1 RGB PNG, and minimal DOCX/XLSX packages (a
//! stored, uncompressed zip with the OOXML parts in Word's/Excel's order).

use entities::OrgKind;
use reqwest::{
    Method,
    multipart::{Form, Part},
};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tests::{Session, TestApp, db, http::assert_problem, spawn_app};

const PDF_MIME: &str = "application/pdf";
const PNG_MIME: &str = "image/png";
const DOCX_MIME: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const UPLOAD_LIMIT: usize = 20 * 1024 * 1024;

// ---------------------------------------------------------------------------
// Sample files
// ---------------------------------------------------------------------------

/// CRC-32 (IEEE), as zip and PNG use it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFF_u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn adler32(bytes: &[u8]) -> u32 {
    let (mut a, mut b) = (1_u32, 0_u32);
    for &x in bytes {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

fn u16le(n: usize) -> [u8; 2] {
    u16::try_from(n).expect("fits u16").to_le_bytes()
}

fn u32le(n: usize) -> [u8; 4] {
    u32::try_from(n).expect("fits u32").to_le_bytes()
}

/// A zip archive with the entries stored (method 0), in the given order.
fn stored_zip(entries: &[(&str, &str)]) -> Vec<u8> {
    const DOS_TIME: [u8; 2] = [0x00, 0x48]; // 09:00:00
    const DOS_DATE: [u8; 2] = [0xC1, 0x5C]; // 2026-06-01
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let (name, data) = (name.as_bytes(), data.as_bytes());
        let offset = out.len();
        let crc = crc32(data).to_le_bytes();
        // Local file header.
        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&[20, 0, 0x00, 0x08, 0, 0]); // version 2.0, flags: UTF-8 names, stored
        out.extend_from_slice(&DOS_TIME);
        out.extend_from_slice(&DOS_DATE);
        out.extend_from_slice(&crc);
        out.extend_from_slice(&u32le(data.len()));
        out.extend_from_slice(&u32le(data.len()));
        out.extend_from_slice(&u16le(name.len()));
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(name);
        out.extend_from_slice(data);
        // Central directory record.
        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&[20, 0, 20, 0, 0x00, 0x08, 0, 0]);
        central.extend_from_slice(&DOS_TIME);
        central.extend_from_slice(&DOS_DATE);
        central.extend_from_slice(&crc);
        central.extend_from_slice(&u32le(data.len()));
        central.extend_from_slice(&u32le(data.len()));
        central.extend_from_slice(&u16le(name.len()));
        central.extend_from_slice(&[0; 12]); // extra, comment, disk, internal attrs, external attrs
        central.extend_from_slice(&u32le(offset));
        central.extend_from_slice(name);
    }
    let central_offset = out.len();
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06");
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&u16le(entries.len()));
    out.extend_from_slice(&u16le(entries.len()));
    out.extend_from_slice(&u32le(central.len()));
    out.extend_from_slice(&u32le(central_offset));
    out.extend_from_slice(&[0, 0]);
    out
}

const XML: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;

fn docx() -> Vec<u8> {
    let types = format!(
        r#"{XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#
    );
    let rels = format!(
        r#"{XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#
    );
    let document = format!(
        r#"{XML}<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>东莞市职业技能培训方案</w:t></w:r></w:p></w:body></w:document>"#
    );
    let document_rels = format!(r#"{XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>"#);
    // Word's own order; content sniffing looks at the third and fourth entries.
    stored_zip(&[
        ("[Content_Types].xml", &types),
        ("_rels/.rels", &rels),
        ("word/document.xml", &document),
        ("word/_rels/document.xml.rels", &document_rels),
    ])
}

fn xlsx() -> Vec<u8> {
    let types = format!(
        r#"{XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#
    );
    let rels = format!(
        r#"{XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
    );
    let workbook = format!(
        r#"{XML}<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="学员名册" sheetId="1" r:id="rId1"/></sheets></workbook>"#
    );
    let workbook_rels = format!(
        r#"{XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
    );
    let sheet = format!(
        r#"{XML}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c><c r="B1" t="inlineStr"><is><t>工种</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>张三</t></is></c><c r="B2" t="inlineStr"><is><t>电工</t></is></c></row></sheetData></worksheet>"#
    );
    stored_zip(&[
        ("[Content_Types].xml", &types),
        ("_rels/.rels", &rels),
        ("xl/workbook.xml", &workbook),
        ("xl/_rels/workbook.xml.rels", &workbook_rels),
        ("xl/worksheets/sheet1.xml", &sheet),
    ])
}

/// A one-page PDF with a correct cross-reference table.
fn pdf() -> Vec<u8> {
    let content = "BT /F1 24 Tf 72 760 Td (Dongguan skills registry) Tj ET";
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes());
    out
}

/// A 1×1 RGB PNG (one stored deflate block).
fn png() -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&u32::try_from(data.len()).expect("len").to_be_bytes());
        let mut crc_input = kind.to_vec();
        crc_input.extend_from_slice(data);
        out.extend_from_slice(&crc_input);
        out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    }
    let scanline = [0_u8, 0x1E, 0x6F, 0xC8]; // filter none, one blue pixel
    let mut zlib = vec![0x78, 0x01, 0x01, 0x04, 0x00, 0xFB, 0xFF];
    zlib.extend_from_slice(&scanline);
    zlib.extend_from_slice(&adler32(&scanline).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
    chunk(&mut out, b"IDAT", &zlib);
    chunk(&mut out, b"IEND", &[]);
    out
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

// ---------------------------------------------------------------------------
// Calls
// ---------------------------------------------------------------------------

async fn upload(app: &TestApp, session: Option<&Session>, filename: &str, bytes: Vec<u8>) -> (u16, Value) {
    let part = Part::bytes(bytes).file_name(filename.to_string()).mime_str("application/octet-stream").expect("mime");
    let resp = app.send(app.request(Method::POST, "/api/v1/documents", session).multipart(Form::new().part("file", part))).await;
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// Status and bytes of the download.
async fn download(app: &TestApp, session: &Session, id: &str) -> (u16, Vec<u8>) {
    let resp = app.send(app.request(Method::GET, &format!("/api/v1/documents/{id}/content"), Some(session))).await;
    let status = resp.status().as_u16();
    (status, resp.bytes().await.expect("body").to_vec())
}

async fn metadata(app: &TestApp, session: &Session, id: &str) -> (u16, Value) {
    app.get(&format!("/api/v1/documents/{id}"), Some(session)).await
}

/// Files under the documents directory.
fn stored_files(app: &TestApp) -> usize {
    fn count(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir).map_or(0, |entries| entries.flatten().map(|e| if e.path().is_dir() { count(&e.path()) } else { 1 }).sum())
    }
    count(&app.settings.documents_dir)
}

fn id_of(doc: &Value) -> String {
    doc["id"].as_str().expect("document id").to_string()
}

fn has_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// An org_user uploads `filename`; answers the session and the stored document.
async fn uploaded_by_org_user(app: &TestApp, filename: &str, bytes: Vec<u8>) -> (Session, Value) {
    let (user, _org) = app.org_user(OrgKind::Enterprise).await;
    let (status, doc) = upload(app, Some(&user), filename, bytes).await;
    assert_eq!(status, 201, "upload {filename}: {doc}");
    (user, doc)
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[tokio::test]
async fn pdf_png_docx_and_xlsx_are_stored_with_their_sha256_and_one_audit_row_each() {
    let app = spawn_app().await;
    let (user, org) = app.org_user(OrgKind::TrainingInstitution).await;
    let (_, me) = app.get("/api/v1/me", Some(&user)).await;
    let samples = [
        ("营业执照.pdf", pdf(), PDF_MIME),
        ("单位标志.png", png(), PNG_MIME),
        ("培训方案.docx", docx(), DOCX_MIME),
        ("学员名册.xlsx", xlsx(), XLSX_MIME),
    ];
    for (n, (filename, bytes, mime)) in samples.into_iter().enumerate() {
        let (status, doc) = upload(&app, Some(&user), filename, bytes.clone()).await;
        assert_eq!(status, 201, "{filename}: {doc}");
        assert_eq!(doc["sha256"], sha256_hex(&bytes), "{filename}: sha256 of the bytes sent");
        assert_eq!(doc["content_type"], mime, "{filename}");
        assert_eq!(doc["filename"], filename);
        assert_eq!(doc["size_bytes"], bytes.len(), "{filename}");
        assert_eq!(doc["organization_id"], org["id"], "{filename}: filed under the uploader's organisation");
        assert_eq!(doc["uploaded_by"], me["id"], "{filename}");
        assert_eq!(db::audit_count(&app.db, "document.uploaded", Some(&id_of(&doc))).await, 1, "{filename}: one audit row");
        assert_eq!(db::audit_count(&app.db, "document.uploaded", None).await, i64::try_from(n + 1).expect("n"));
    }
}

#[tokio::test]
async fn uploader_colleague_and_bureau_staff_read_the_same_metadata_and_bytes() {
    let app = spawn_app().await;
    let (uploader, org) = app.org_user(OrgKind::VocationalCollege).await;
    let bytes = pdf();
    let (status, doc) = upload(&app, Some(&uploader), "办学许可证.pdf", bytes.clone()).await;
    assert_eq!(status, 201, "{doc}");
    let id = id_of(&doc);
    let colleague = app.login("org_user", org["id"].as_str()).await;
    let staff = app.login("bureau_staff", None).await;

    for reader in [&uploader, &colleague, &staff] {
        let (status, meta) = metadata(&app, reader, &id).await;
        assert_eq!(status, 200, "{}: {meta}", reader.username);
        assert_eq!(meta, doc, "{}: metadata as stored", reader.username);
        let (status, content) = download(&app, reader, &id).await;
        assert_eq!(status, 200, "{}", reader.username);
        assert!(content == bytes, "{}: the downloaded bytes are the uploaded ones", reader.username);
    }
}

#[tokio::test]
async fn the_same_file_uploaded_twice_gives_two_readable_documents() {
    let app = spawn_app().await;
    let (user, _) = app.org_user(OrgKind::Enterprise).await;
    let bytes = png();
    let (s1, first) = upload(&app, Some(&user), "a.png", bytes.clone()).await;
    let (s2, second) = upload(&app, Some(&user), "b.png", bytes.clone()).await;
    assert_eq!((s1, s2), (201, 201), "{first} {second}");
    assert_ne!(first["id"], second["id"]);
    assert_eq!(first["sha256"], second["sha256"]);
    for doc in [&first, &second] {
        assert_eq!(download(&app, &user, &id_of(doc)).await, (200, bytes.clone()));
    }
    assert_eq!(db::audit_count(&app.db, "document.uploaded", None).await, 2);
}

#[tokio::test]
async fn a_user_of_another_organisation_gets_404_for_metadata_and_content() {
    let app = spawn_app().await;
    let (_, doc) = uploaded_by_org_user(&app, "资质证书.pdf", pdf()).await;
    let (outsider, _) = app.org_user(OrgKind::TechnicalSchool).await;
    let id = id_of(&doc);

    let (status, body) = metadata(&app, &outsider, &id).await;
    assert_problem(status, &body, 404, "not_found");
    let (status, content) = download(&app, &outsider, &id).await;
    assert_eq!(status, 404);
    assert!(!content.starts_with(b"%PDF"), "no file content leaks");

    // Indistinguishable from a document that does not exist.
    let (_, missing) = metadata(&app, &outsider, &uuid::Uuid::new_v4().to_string()).await;
    assert_eq!(body["title"], missing["title"]);
}

#[tokio::test]
async fn an_expert_gets_404_for_someone_elses_document_but_reads_their_own() {
    let app = spawn_app().await;
    let (_, doc) = uploaded_by_org_user(&app, "资质证书.pdf", pdf()).await;
    let expert = app.login("expert", None).await;

    let (status, body) = metadata(&app, &expert, &id_of(&doc)).await;
    assert_problem(status, &body, 404, "not_found");
    assert_eq!(download(&app, &expert, &id_of(&doc)).await.0, 404);

    let (status, own) = upload(&app, Some(&expert), "评审意见.docx", docx()).await;
    assert_eq!(status, 201, "{own}");
    assert_eq!(metadata(&app, &expert, &id_of(&own)).await.0, 200);
    assert_eq!(download(&app, &expert, &id_of(&own)).await, (200, docx()));
}

#[tokio::test]
async fn a_text_file_named_pdf_is_refused_on_field_file_in_chinese_and_nothing_is_stored() {
    let app = spawn_app().await;
    let (user, _) = app.org_user(OrgKind::Enterprise).await;
    let before = db::snapshot(&app.db).await;

    let (status, body) = upload(&app, Some(&user), "营业执照.pdf", b"not a pdf, just text".to_vec()).await;
    assert_problem(status, &body, 422, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "file", "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(has_chinese(message), "message in Chinese: {message}");

    assert_eq!(db::snapshot(&app.db).await, before, "nothing written");
    assert_eq!(stored_files(&app), 0, "nothing stored on disk");
}

#[tokio::test]
async fn a_png_named_pdf_is_refused_as_a_mismatch() {
    let app = spawn_app().await;
    let (user, _) = app.org_user(OrgKind::Enterprise).await;
    let before = db::snapshot(&app.db).await;

    let (status, body) = upload(&app, Some(&user), "营业执照.pdf", png()).await;
    assert_problem(status, &body, 422, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "file", "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(has_chinese(message) && message.contains(".pdf"), "names the extension: {message}");

    assert_eq!(db::snapshot(&app.db).await, before, "nothing written");
    assert_eq!(stored_files(&app), 0, "nothing stored on disk");
}

#[tokio::test]
async fn a_file_just_over_20_mib_is_refused_with_413_and_nothing_is_stored() {
    let app = spawn_app().await;
    let (user, _) = app.org_user(OrgKind::Enterprise).await;
    let before = db::snapshot(&app.db).await;

    // A PDF by its signature, one byte over the limit: only the size is wrong.
    let mut bytes = pdf();
    bytes.resize(UPLOAD_LIMIT + 1, b' ');
    let (status, body) = upload(&app, Some(&user), "扫描件.pdf", bytes).await;
    assert_problem(status, &body, 413, "payload_too_large");

    assert_eq!(db::snapshot(&app.db).await, before, "nothing written");
    assert_eq!(stored_files(&app), 0, "nothing stored on disk");
    assert_eq!(db::audit_count(&app.db, "document.uploaded", None).await, 0);
}

#[tokio::test]
async fn a_file_of_exactly_20_mib_is_accepted() {
    let app = spawn_app().await;
    let (user, _) = app.org_user(OrgKind::Enterprise).await;
    let mut bytes = pdf();
    bytes.resize(UPLOAD_LIMIT, b' ');
    let (status, doc) = upload(&app, Some(&user), "扫描件.pdf", bytes.clone()).await;
    assert_eq!(status, 201, "{doc}");
    assert_eq!(doc["size_bytes"], UPLOAD_LIMIT);
    assert_eq!(doc["sha256"], sha256_hex(&bytes));
}

#[tokio::test]
async fn uploading_without_a_token_is_401_and_nothing_is_stored() {
    let app = spawn_app().await;
    let before = db::snapshot(&app.db).await;

    let (status, body) = upload(&app, None, "营业执照.pdf", pdf()).await;
    assert_problem(status, &body, 401, "unauthorized");
    let (status, body) = upload(&app, Some(&Session::with_token("not-a-jwt")), "营业执照.pdf", pdf()).await;
    assert_problem(status, &body, 401, "unauthorized");

    assert_eq!(db::snapshot(&app.db).await, before, "nothing written");
    assert_eq!(stored_files(&app), 0, "nothing stored on disk");
}
