//! The in-process SMTP sink the notification tests rely on: Chinese mail sent
//! with lettre arrives intact, and an outage makes sending fail without
//! recording anything.

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, header::ContentType},
};
use tests::smtp::SmtpSink;

const FROM: &str = "noreply@registry.dg.gov.cn";
const TO: &str = "zhangsan@example.dg.cn";

/// A transport of its own for every send: a pooled connection opened before an
/// outage would otherwise be reused and hide it.
fn transport(sink: &SmtpSink) -> AsyncSmtpTransport<Tokio1Executor> {
    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1").port(sink.port).build()
}

fn mail(subject: &str, body: &str) -> Message {
    Message::builder()
        .from(Mailbox::new(Some("东莞市人力资源和社会保障局".into()), FROM.parse().expect("address")))
        .to(Mailbox::new(Some("张三".into()), TO.parse().expect("address")))
        .subject(subject)
        .header(ContentType::TEXT_PLAIN)
        .body(body.to_string())
        .expect("message")
}

/// The text as the recipient reads it (line endings normalised, no trailing newline).
fn readable(text: &str) -> String {
    text.replace("\r\n", "\n").trim_end().to_string()
}

#[tokio::test]
async fn chinese_mail_sent_with_lettre_arrives_intact() {
    let sink = SmtpSink::start().await;
    let subject = "【东莞市技能资源登记】单位信息审核通过通知";
    let body =
        "张三您好：\n\n贵单位“东莞市测试单位”的登记信息已审核通过。\n统一社会信用代码：91441900MA4UXXXX0X\n\n东莞市人力资源和社会保障局";

    transport(&sink).send(mail(subject, body)).await.expect("the sink accepts the message");

    let messages = sink.messages();
    assert_eq!(messages.len(), 1, "one message recorded");
    let received = &messages[0];
    assert_eq!(received.from, FROM, "envelope sender");
    assert_eq!(received.to, vec![TO.to_string()], "envelope recipients");

    let parsed = received.parsed().expect("the recorded message parses");
    assert_eq!(parsed.subject(), Some(subject));
    assert_eq!(parsed.body_text(0).map(|t| readable(&t)), Some(body.to_string()));
    let from = parsed.from().and_then(|a| a.first()).expect("From header");
    assert_eq!((from.name(), from.address()), (Some("东莞市人力资源和社会保障局"), Some(FROM)));
    let to = parsed.to().and_then(|a| a.first()).expect("To header");
    assert_eq!((to.name(), to.address()), (Some("张三"), Some(TO)));
}

#[tokio::test]
async fn a_refusing_sink_fails_the_send_and_records_only_delivered_mail() {
    let sink = SmtpSink::start().await;

    transport(&sink).send(mail("第一封：登记受理", "您的登记申请已受理。")).await.expect("first send, sink up");

    sink.refuse(true);
    let during_outage = transport(&sink).send(mail("第二封：不应送达", "停机期间发送。")).await;
    assert!(during_outage.is_err(), "sending while the sink refuses connections fails");

    sink.refuse(false);
    transport(&sink).send(mail("第三封：审核通过", "您的登记信息已审核通过。")).await.expect("third send, sink back");

    let subjects: Vec<String> =
        sink.messages().iter().map(|m| m.parsed().and_then(|p| p.subject().map(str::to_string)).unwrap_or_default()).collect();
    assert_eq!(subjects, ["第一封：登记受理", "第三封：审核通过"], "exactly the two delivered messages, in order");
}
