//! Conversations in and out of Lantern: Markdown to read, JSON to keep and import again.
//! Imported files are untrusted: every field is checked, and a bad file says what is wrong.

use protocol::ChatRole;
use serde::{Deserialize, Serialize};

use super::{Conversation, PageUse};

/// Names the export format, so an import knows what it reads.
pub const FORMAT: &str = "lantern-chats";
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Export {
    format: String,
    version: u32,
    conversations: Vec<Conversation>,
}

/// A conversation as Markdown, for people.
pub fn to_markdown(conversation: &Conversation) -> String {
    let mut out = format!("# {}\n", conversation.display_title());
    let pages = |out: &mut String, index| {
        for page in conversation.pages_before(index) {
            let what = match page.kind {
                PageUse::Summarized => "Summarized",
                PageUse::Read => "Read",
                PageUse::Attached => "Attached",
                PageUse::ImageText => "Text in image",
            };
            match page.kind {
                PageUse::ImageText => {
                    out.push_str(&format!("\n> {what}: <{}>\n", page.url));
                    if !page.title.is_empty() {
                        out.push_str(&format!("> (on <{}>)\n", page.title));
                    }
                    out.push_str(">\n");
                    for line in page.selection.lines() {
                        out.push_str(&format!("> {line}  \n"));
                    }
                }
                _ => {
                    out.push_str(&format!("\n> {what}: [{}](<{}>)\n", page.title, page.url));
                    if !page.selection.is_empty() {
                        out.push_str(&format!(">\n> Selection: {}\n", page.selection));
                    }
                }
            }
        }
    };
    for (index, message) in conversation.messages.iter().enumerate() {
        pages(&mut out, index);
        let who = match message.role {
            ChatRole::User => "You",
            ChatRole::Assistant => "Lantern",
            ChatRole::System => "System",
            ChatRole::Tool => "Tool",
        };
        out.push_str(&format!("\n## {who}\n\n{}\n", message.content.trim_end()));
    }
    pages(&mut out, conversation.messages.len());
    out
}

/// Conversations as JSON, for `parse_import`.
pub fn to_json(conversations: &[Conversation]) -> String {
    let export = Export {
        format: FORMAT.into(),
        version: FORMAT_VERSION,
        conversations: conversations.to_vec(),
    };
    serde_json::to_string_pretty(&export).unwrap_or_default()
}

/// A file name for an export: the title's letters and digits, dashes between.
pub fn file_name(title: &str, extension: &str) -> String {
    let words: Vec<String> = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(8)
        .map(str::to_lowercase)
        .collect();
    let stem = if words.is_empty() {
        "lantern-chat".to_string()
    } else {
        words.join("-")
    };
    format!("{stem}.{extension}")
}

/// Reads an export (or one conversation object) back, checking every conversation.
pub fn parse_import(text: &str) -> Result<Vec<Conversation>, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("this file is not JSON ({e})"))?;
    let list = if value.get("conversations").is_some() {
        let format = value.get("format").and_then(|f| f.as_str());
        if format != Some(FORMAT) {
            return Err(format!(
                "this is not a Lantern chat export (format {}, expected \"{FORMAT}\")",
                format.map_or("missing".into(), |f| format!("\"{f}\""))
            ));
        }
        let version = value.get("version").and_then(|v| v.as_u64());
        if version != Some(u64::from(FORMAT_VERSION)) {
            return Err(format!(
                "this export has version {}; this Lantern reads version {FORMAT_VERSION}",
                version.map_or("missing".into(), |v| v.to_string())
            ));
        }
        value["conversations"].clone()
    } else if value.get("messages").is_some() {
        serde_json::Value::Array(vec![value])
    } else {
        return Err("this file holds no conversations (no \"conversations\" list)".into());
    };
    let items = list.as_array().ok_or("\"conversations\" must be a list")?;
    if items.is_empty() {
        return Err("this export holds no conversations".into());
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            check_roles(item).map_err(|e| format!("conversation {}: {e}", i + 1))?;
            let conversation: Conversation = serde_json::from_value(item.clone())
                .map_err(|e| format!("conversation {} is not readable: {e}", i + 1))?;
            check(&conversation).map_err(|e| format!("conversation {}: {e}", i + 1))?;
            Ok(conversation)
        })
        .collect()
}

/// Roles are checked before the conversation is parsed, so a wrong one is named with its
/// message instead of as the parser's "unknown variant".
fn check_roles(item: &serde_json::Value) -> Result<(), String> {
    let Some(messages) = item.get("messages").and_then(|m| m.as_array()) else {
        return Ok(());
    };
    for (i, message) in messages.iter().enumerate() {
        let role = message.get("role").cloned().unwrap_or_default();
        if serde_json::from_value::<ChatRole>(role.clone()).is_err() {
            let expected: Vec<&str> = ChatRole::ALL.iter().map(|r| r.as_str()).collect();
            return Err(format!(
                "message {} has role {role} (expected one of {})",
                i + 1,
                expected.join(", ")
            ));
        }
    }
    Ok(())
}

fn check(conversation: &Conversation) -> Result<(), String> {
    if conversation.id.trim().is_empty() || conversation.id.len() > 200 {
        return Err("its id must be 1 to 200 characters".into());
    }
    if !conversation.created_at.is_finite() || !conversation.updated_at.is_finite() {
        return Err("its dates are not numbers".into());
    }
    for (i, page) in conversation.pages.iter().enumerate() {
        if page.before > conversation.messages.len() {
            return Err(format!(
                "page {} is placed before message {}, which does not exist",
                i + 1,
                page.before + 1
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::ChatMessage;

    fn sample() -> Conversation {
        let mut c = Conversation::new("abc".into(), 5.0);
        c.messages = vec![
            ChatMessage {
                source: None,
                role: ChatRole::User,
                content: "Hi there".into(),
            },
            ChatMessage {
                source: None,
                role: ChatRole::Assistant,
                content: "Hello! **Bold**".into(),
            },
        ];
        c.pages = vec![super::super::PageNote {
            before: 1,
            kind: PageUse::Summarized,
            title: "Lanterns".into(),
            url: "https://example.com/lanterns".into(),
            selection: String::new(),
        }];
        c
    }

    #[test]
    fn json_export_imports_back_unchanged() {
        let c = sample();
        assert_eq!(
            parse_import(&to_json(std::slice::from_ref(&c))),
            Ok(vec![c])
        );
    }

    #[test]
    fn markdown_export_names_each_speaker() {
        let md = to_markdown(&sample());
        assert!(md.starts_with("# Hi there\n"), "{md}");
        assert!(md.contains("## You\n\nHi there\n"), "{md}");
        assert!(md.contains("## Lantern\n\nHello! **Bold**\n"), "{md}");
        assert!(
            md.contains("Hi there\n\n> Summarized: [Lanterns](<https://example.com/lanterns>)\n"),
            "{md}"
        );
    }

    #[test]
    fn an_image_s_text_is_exported_with_its_address_and_imported_back() {
        let mut c = sample();
        c.pages.push(super::super::PageNote {
            before: 2,
            kind: PageUse::ImageText,
            title: "https://example.com/shop".into(),
            url: "https://example.com/sign.png".into(),
            selection: "OPEN\nMon-Fri 9-5".into(),
        });
        let md = to_markdown(&c);
        assert!(
            md.contains("> Text in image: <https://example.com/sign.png>\n> (on <https://example.com/shop>)\n>\n> OPEN  \n> Mon-Fri 9-5  \n"),
            "{md}"
        );
        assert_eq!(
            parse_import(&to_json(std::slice::from_ref(&c))),
            Ok(vec![c])
        );
    }

    #[test]
    fn bad_files_say_what_is_wrong() {
        assert!(
            parse_import("not json")
                .expect_err("refused")
                .contains("not JSON")
        );
        assert!(
            parse_import("{\"a\":1}")
                .expect_err("refused")
                .contains("no conversations")
        );
        let other = r#"{"format":"other","version":1,"conversations":[]}"#;
        assert!(
            parse_import(other)
                .expect_err("refused")
                .contains("not a Lantern chat export")
        );
        let newer = r#"{"format":"lantern-chats","version":9,"conversations":[]}"#;
        assert!(
            parse_import(newer)
                .expect_err("refused")
                .contains("version 9")
        );
        let role = to_json(&[sample()]).replace("\"assistant\"", "\"hacker\"");
        let err = parse_import(&role).expect_err("refused");
        assert!(
            err.contains("conversation 1") && err.contains("message 2 has role \"hacker\""),
            "{err}"
        );
        let misplaced = to_json(&[sample()]).replace("\"before\": 1", "\"before\": 7");
        let err = parse_import(&misplaced).expect_err("refused");
        assert!(err.contains("page 1 is placed before message 8"), "{err}");
        let missing = r#"{"format":"lantern-chats","version":1,"conversations":[{"id":"x"}]}"#;
        assert!(
            parse_import(missing)
                .expect_err("refused")
                .contains("conversation 1 is not readable")
        );
    }

    #[test]
    fn file_names_are_safe() {
        assert_eq!(
            file_name("What is Rust? / notes", "md"),
            "what-is-rust-notes.md"
        );
        assert_eq!(file_name("../..", "json"), "lantern-chat.json");
    }
}
