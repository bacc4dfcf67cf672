//! Stored outbox rows to RFC 5322 messages. Every header value passes
//! through lettre's typed headers and [`one_line`], so a CR or LF in a
//! booking's purpose or a person's name can never start a new header.

use lettre::Message;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};

/// Collapses any line breaks and control characters into spaces.
pub fn one_line(value: &str) -> String {
    let cleaned: String = value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What a message is made of.
pub struct Parts<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub message_id: &'a str,
    pub language: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
    /// One attachment (an .ics).
    pub attachment: Option<&'a super::content::Attachment>,
}

pub fn build(parts: &Parts<'_>) -> anyhow::Result<Message> {
    let from: Mailbox = parts.from.parse()?;
    let to: Mailbox = one_line(parts.to).parse()?;
    let body = MultiPart::alternative()
        .singlepart(SinglePart::plain(parts.text.to_owned()))
        .singlepart(SinglePart::html(parts.html.to_owned()));
    let body = match parts.attachment {
        Some(a) => MultiPart::mixed().multipart(body).singlepart(
            Attachment::new(one_line(&a.file_name))
                .body(a.content.clone(), ContentType::parse(&a.media_type)?),
        ),
        None => body,
    };
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(one_line(parts.subject))
        .message_id(Some(one_line(parts.message_id)));
    builder = builder.raw_header(HeaderValue::new(
        HeaderName::new_from_ascii_str("Content-Language"),
        one_line(parts.language),
    ));
    Ok(builder.multipart(body)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_never_make_headers() {
        let message = build(&Parts {
            from: "livingroom <noreply@livingroom.example>",
            to: "chen.mei@example.org",
            message_id: "<booking-1-confirmed@livingroom.example>",
            language: "en",
            subject: "Booked: tea\r\nBcc: victim@example.org\r\nX-Evil: 1",
            text: "hello",
            html: "<p>hello</p>",
            attachment: None,
        })
        .unwrap();
        let raw = String::from_utf8(message.formatted()).unwrap();
        let headers = raw.split("\r\n\r\n").next().unwrap();
        assert!(
            !headers
                .lines()
                .any(|l| l.starts_with("Bcc:") || l.starts_with("X-Evil:")),
            "{headers}"
        );
        assert!(headers.contains("Message-ID: <booking-1-confirmed@livingroom.example>"));
    }
}
