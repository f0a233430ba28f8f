//! Where a server's endpoints are, from the base address the user typed (`http://host:8080`,
//! `http://host:11434/v1/`, ...): the OpenAI ones under `/v1`, llama.cpp's `/props` beside it.

/// An endpoint of a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `GET /v1/models`
    Models,
    /// `POST /v1/chat/completions`
    ChatCompletions,
    /// llama.cpp's `GET /props` (its context size, among others)
    Props,
}

/// The address without a trailing `/` or `/v1`, so `http://h:1`, `http://h:1/` and
/// `http://h:1/v1/` name the same server.
pub fn base_url(typed: &str) -> String {
    let mut base = typed.trim().trim_end_matches('/').to_string();
    if let Some(stripped) = base.strip_suffix("/v1") {
        base = stripped.trim_end_matches('/').to_string();
    }
    base
}

impl Endpoint {
    pub fn url(self, typed: &str) -> String {
        let base = base_url(typed);
        match self {
            Endpoint::Models => format!("{base}/v1/models"),
            Endpoint::ChatCompletions => format!("{base}/v1/chat/completions"),
            Endpoint::Props => format!("{base}/props"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_way_of_typing_a_server_names_the_same_endpoints() {
        for typed in [
            "http://127.0.0.1:8080",
            "http://127.0.0.1:8080/",
            "http://127.0.0.1:8080/v1",
            " http://127.0.0.1:8080/v1/ ",
        ] {
            assert_eq!(
                Endpoint::ChatCompletions.url(typed),
                "http://127.0.0.1:8080/v1/chat/completions"
            );
            assert_eq!(
                Endpoint::Models.url(typed),
                "http://127.0.0.1:8080/v1/models"
            );
            assert_eq!(Endpoint::Props.url(typed), "http://127.0.0.1:8080/props");
        }
        // A path prefix (a proxy) is kept.
        assert_eq!(
            Endpoint::Models.url("https://gpu.lan/llm/v1"),
            "https://gpu.lan/llm/v1/models"
        );
    }
}
