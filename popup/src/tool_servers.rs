//! The MCP tool servers as Lantern keeps them (the `lantern-chats` database's settings store,
//! key `mcp_servers`): the user's and the built-in ones (`lantern:...`, listed first, never
//! removed), each with its address, switches, which tools may run without asking, and the tools
//! last listed. Also what the chat offers the model from them, under names that cannot clash,
//! and what each server's tool list costs the model's context.

use protocol::{BuiltinTool, ExternalTool, McpServerState, McpToolInfo};
use serde::{Deserialize, Serialize};
use tools::calculator_server::CALCULATOR_URL;
use tools::files::FILES_URL;
use tools::memories::MEMORIES_URL;

use crate::history::store::ChatStore;

const KEY: &str = "mcp_servers";

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ToolServer {
    pub url: String,
    /// The server's own name (server-written text).
    pub name: String,
    /// The protocol version it spoke last (tried first next time).
    pub protocol_version: Option<String>,
    /// Offer its tools to the model.
    pub enabled: bool,
    pub tools: Vec<McpToolInfo>,
    /// Tools the user switched off.
    pub disabled_tools: Vec<String>,
    /// Tools the user chose to run without asking each time.
    pub always_allow: Vec<String>,
    /// Send this server no `Origin` header (for local servers that refuse Lantern's).
    pub drop_origin: bool,
}

impl ToolServer {
    pub fn from_state(state: McpServerState) -> ToolServer {
        ToolServer {
            url: state.url,
            name: state.name,
            protocol_version: Some(state.protocol_version),
            enabled: true,
            tools: state.tools,
            ..ToolServer::default()
        }
    }

    /// A new listing, keeping the user's switches.
    pub fn refresh(&mut self, state: McpServerState) {
        self.name = state.name;
        self.protocol_version = Some(state.protocol_version);
        self.tools = state.tools;
    }

    pub fn tool_enabled(&self, tool: &str) -> bool {
        !self.disabled_tools.iter().any(|t| t == tool)
    }

    /// Roughly how many tokens this server's enabled tools take in every prompt: their schemas
    /// as the model reads them, at about four characters a token (no tokenizer here; the
    /// figure is for comparing servers, not for counting).
    pub fn context_cost(&self) -> usize {
        let chars: usize = self
            .tools
            .iter()
            .filter(|t| self.tool_enabled(&t.name))
            .map(|t| {
                t.name.len()
                    + t.description.as_deref().map_or(0, str::len)
                    + t.input_schema.to_string().len()
                    + 40
            })
            .sum();
        chars.div_ceil(4)
    }
}

/// Whether the server is built into Lantern (reached in-process, not removable).
pub fn is_builtin(url: &str) -> bool {
    url.starts_with("lantern:")
}

/// The built-in servers as a new profile has them. The calculator is on (the chat's own switch
/// offers it); memories and files are off until the user turns them on, and then reading them
/// needs no confirmation while storing, writing and deleting do.
fn builtin_defaults() -> Vec<ToolServer> {
    vec![
        ToolServer {
            url: CALCULATOR_URL.into(),
            name: "calculator".into(),
            enabled: true,
            ..ToolServer::default()
        },
        ToolServer {
            url: MEMORIES_URL.into(),
            name: "memories".into(),
            enabled: false,
            always_allow: vec!["recall".into(), "list".into()],
            ..ToolServer::default()
        },
        ToolServer {
            url: FILES_URL.into(),
            name: "files".into(),
            enabled: false,
            always_allow: vec![
                "search_files".into(),
                "read_file".into(),
                "list_files".into(),
            ],
            ..ToolServer::default()
        },
    ]
}

/// The saved servers, with every built-in one first (its defaults when never saved).
pub fn with_builtins(saved: Vec<ToolServer>) -> Vec<ToolServer> {
    let mut servers: Vec<ToolServer> = builtin_defaults()
        .into_iter()
        .map(|default| {
            saved
                .iter()
                .find(|s| s.url == default.url)
                .cloned()
                .unwrap_or(default)
        })
        .collect();
    servers.extend(saved.into_iter().filter(|s| !is_builtin(&s.url)));
    servers
}

/// Takes the tool lists of `live` servers (as the document's sessions have them now) into the
/// saved `servers` whose lists differ, keeping the user's switches. Whether any changed.
pub fn take_live(servers: &mut [ToolServer], live: Vec<McpServerState>) -> bool {
    let mut changed = false;
    for state in live {
        if let Some(server) = servers.iter_mut().find(|s| s.url == state.url)
            && server.tools != state.tools
        {
            server.refresh(state);
            changed = true;
        }
    }
    changed
}

/// `take_live` with the document's lists, saving what changed. Without an answer (no document
/// yet) the saved lists stand.
pub async fn follow_live(servers: &mut [ToolServer]) -> bool {
    // The built-in servers' lists do not change: only the user's servers need the document.
    if !servers.iter().any(|s| s.enabled && !is_builtin(&s.url)) {
        return false;
    }
    let Ok(live) = crate::state::client().mcp_tool_lists().await else {
        return false;
    };
    let changed = take_live(servers, live);
    if changed {
        // Not saved: the next answer takes the lists again.
        let _ = save(servers).await;
    }
    changed
}

pub async fn load() -> Vec<ToolServer> {
    let Ok(store) = ChatStore::open().await else {
        return with_builtins(Vec::new());
    };
    let saved = store
        .setting::<Vec<ToolServer>>(KEY)
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    with_builtins(saved)
}

/// Whether the calculator may be offered (its built-in server is switched on).
pub fn calculator_enabled(servers: &[ToolServer]) -> bool {
    servers
        .iter()
        .find(|s| s.url == CALCULATOR_URL)
        .is_none_or(|s| s.enabled)
}

/// Puts the "no Origin header" switches of `servers` into the browser's session rules.
pub async fn apply_origin_rules(servers: &[ToolServer]) -> Result<(), String> {
    let prefixes: Vec<String> = servers
        .iter()
        .filter(|s| s.drop_origin)
        .map(|s| s.url.clone())
        .collect();
    crate::chrome::set_origin_rules(&prefixes).await
}

pub async fn save(servers: &[ToolServer]) -> Result<(), String> {
    let store = ChatStore::open().await.map_err(|e| e.to_string())?;
    store
        .put_setting(KEY, &servers.to_vec())
        .await
        .map_err(|e| e.to_string())
}

/// Where a tool the model may call lives.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    pub url: String,
    pub server: String,
    pub remembered: Option<String>,
    /// The server's name for the tool.
    pub tool: String,
    pub always_allow: bool,
}

/// The enabled tools of the enabled servers, each under a name no other offered tool has: a
/// name two servers share, or a built-in tool's, gets its server's name in front.
pub fn offered(servers: &[ToolServer], builtin: &[BuiltinTool]) -> Vec<(ExternalTool, Route)> {
    let enabled: Vec<(&ToolServer, &McpToolInfo)> = servers
        .iter()
        // The calculator runs in the chat worker itself, offered by the chat's switch.
        .filter(|s| s.enabled && s.url != CALCULATOR_URL)
        .flat_map(|s| {
            s.tools
                .iter()
                .filter(|t| s.tool_enabled(&t.name))
                .map(move |t| (s, t))
        })
        .collect();
    let clashes = |name: &str| {
        builtin.iter().any(|b| b.name() == name)
            || enabled.iter().filter(|(_, t)| t.name == name).count() > 1
    };
    enabled
        .iter()
        .map(|(server, tool)| {
            let name = if clashes(&tool.name) {
                format!("{}__{}", slug(server), tool.name)
            } else {
                tool.name.clone()
            };
            let external = ExternalTool {
                name,
                description: tool.description.clone().unwrap_or_default(),
                input_schema: tool.input_schema.clone(),
            };
            let route = Route {
                url: server.url.clone(),
                server: server.name.clone(),
                remembered: server.protocol_version.clone(),
                tool: tool.name.clone(),
                always_allow: server.always_allow.iter().any(|t| t == &tool.name),
            };
            (external, route)
        })
        .collect()
}

/// A server's name as a tool-name prefix: letters, digits and underscores.
fn slug(server: &ToolServer) -> String {
    let base = if server.name.is_empty() {
        &server.url
    } else {
        &server.name
    };
    base.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect::<String>()
        .trim_matches('_')
        .to_owned()
}

/// Whether a server address needs no permission: Lantern may reach loopback from the start.
pub fn is_loopback(url: &str) -> bool {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"));
    let Some(rest) = rest else { return false };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.split(':').next().unwrap_or_default(),
    };
    matches!(host, "127.0.0.1" | "localhost" | "::1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn server(name: &str, tools: &[&str]) -> ToolServer {
        ToolServer {
            url: format!("http://127.0.0.1/{name}"),
            name: name.into(),
            enabled: true,
            tools: tools
                .iter()
                .map(|t| McpToolInfo {
                    name: (*t).into(),
                    title: None,
                    description: None,
                    input_schema: json!({"type": "object"}),
                })
                .collect(),
            ..ToolServer::default()
        }
    }

    #[test]
    fn clashing_names_get_their_server_in_front() {
        let mut b = server("other server", &["echo", "calculator"]);
        b.always_allow = vec!["echo".into()];
        let servers = [server("everything", &["echo", "get-sum"]), b];
        let names: Vec<String> = offered(&servers, &[BuiltinTool::Calculator])
            .into_iter()
            .map(|(t, _)| t.name)
            .collect();
        assert_eq!(
            names,
            [
                "everything__echo",
                "get-sum",
                "other_server__echo",
                "other_server__calculator"
            ]
        );
        let routes = offered(&servers, &[]);
        assert_eq!(routes[2].1.tool, "echo");
        assert!(routes[2].1.always_allow && !routes[0].1.always_allow);
        assert_eq!(
            routes[3].0.name, "calculator",
            "no built-in offered, no clash"
        );
    }

    #[test]
    fn switches_take_tools_and_their_cost_away() {
        let mut s = server("s", &["a", "b"]);
        let both = s.context_cost();
        s.disabled_tools = vec!["a".into()];
        assert!(s.context_cost() < both && s.context_cost() > 0);
        assert_eq!(offered(std::slice::from_ref(&s), &[]).len(), 1);
        s.enabled = false;
        assert!(offered(&[s], &[]).is_empty());
    }

    #[test]
    fn built_in_servers_come_first_keep_their_switches_and_are_not_offered_twice() {
        let defaults = with_builtins(Vec::new());
        let urls: Vec<&str> = defaults.iter().map(|s| s.url.as_str()).collect();
        assert_eq!(urls, [CALCULATOR_URL, MEMORIES_URL, FILES_URL]);
        assert!(!defaults[2].enabled, "files start off");
        assert!(
            defaults[2]
                .always_allow
                .iter()
                .all(|t| t != "write_file" && t != "delete_file")
        );
        assert!(defaults.iter().all(|s| is_builtin(&s.url)));
        assert!(calculator_enabled(&defaults));
        assert!(!defaults[1].enabled, "memories start off");
        let mut memories = server("memories", &["remember", "recall"]);
        memories.url = MEMORIES_URL.into();
        memories.always_allow = vec!["recall".into()];
        let mut calculator = server("calculator", &["calculator"]);
        calculator.url = CALCULATOR_URL.into();
        calculator.enabled = false;
        let user = server("everything", &["echo"]);
        let servers = with_builtins(vec![user.clone(), memories, calculator]);
        assert_eq!(servers.len(), 4);
        assert_eq!(servers[3], user);
        assert!(!calculator_enabled(&servers));
        let offered = offered(&servers, &[BuiltinTool::Calculator]);
        let names: Vec<&str> = offered.iter().map(|(t, _)| t.name.as_str()).collect();
        assert_eq!(names, ["remember", "recall", "echo"]);
        assert!(offered[1].1.always_allow && !offered[0].1.always_allow);
        assert!(!is_builtin("http://127.0.0.1/mcp"));
    }

    #[test]
    fn a_changed_list_is_taken_and_the_switches_kept() {
        let mut a = server("a", &["old", "kept"]);
        a.disabled_tools = vec!["kept".into()];
        let mut servers = vec![a, server("b", &["x"])];
        let state = |name: &str, tools: &[&str]| McpServerState {
            url: format!("http://127.0.0.1/{name}"),
            protocol_version: "2025-11-25".into(),
            name: name.into(),
            version: "1".into(),
            tools: server(name, tools).tools,
            rejected: Vec::new(),
        };
        assert!(!take_live(&mut servers, vec![state("b", &["x"])]));
        assert!(take_live(
            &mut servers,
            vec![state("a", &["kept", "new"]), state("gone", &["y"])]
        ));
        let names: Vec<&str> = servers[0].tools.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["kept", "new"]);
        assert!(!servers[0].tool_enabled("kept") && servers[0].tool_enabled("new"));
        assert_eq!(
            servers.len(),
            2,
            "a server the user did not add is not added"
        );
        let offered: Vec<String> = offered(&servers, &[])
            .into_iter()
            .map(|(t, _)| t.name)
            .collect();
        assert_eq!(offered, ["new", "x"]);
    }

    #[test]
    fn only_loopback_needs_no_permission() {
        for url in [
            "http://127.0.0.1:3001/mcp",
            "http://localhost/mcp",
            "http://[::1]:80/",
        ] {
            assert!(is_loopback(url), "{url}");
        }
        for url in [
            "http://127.0.0.1.evil.com/",
            "https://example.com/mcp",
            "ftp://localhost/",
            "http://localhost@evil.com/",
        ] {
            assert!(!is_loopback(url), "{url}");
        }
    }
}
