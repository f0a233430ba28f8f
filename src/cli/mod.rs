//! The `lantern` subcommands that run models, one module each.

pub mod generate;
