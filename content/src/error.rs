//! This crate's one error type.

/// Why a page yielded no article.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExtractError {
    /// Nothing on the page reads as text: empty, all scripts and images, or all hidden.
    #[error("the page has no readable text")]
    NoReadableText,
}

impl ExtractError {
    /// A stable snake_case code for the error DTO that crosses contexts.
    pub fn code(&self) -> &'static str {
        match self {
            ExtractError::NoReadableText => "no_readable_text",
        }
    }
}
