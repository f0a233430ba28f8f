//! The conversation every runner of `bench llm` prefills: a system prompt and a passage of a few
//! hundred tokens (193 with SmolLM2's template) to summarize, written for the bench.

pub const SYSTEM: &str = "You are a careful assistant. Answer briefly and plainly.";

pub const USER: &str = "Read the notes below and summarize them in three sentences.\n\n\
The lighthouse keepers of the northern coast kept logs that were more than lists of ships. \
Each evening the keeper wrote the time the lamp was lit, the state of the sea, the direction \
and force of the wind, and the number of vessels seen passing. In winter the entries grew \
longer: ice on the gallery rail, a broken pane in the lantern room, oil that thickened in the \
cold and had to be warmed on the kitchen stove before it would flow. Some keepers added small \
observations of their own, such as the first swallows of spring, a seal asleep on the landing \
stage, or a child from the village who rowed out with letters and bread. Historians later found \
these logs valuable: read together, they form one of the longest weather records of the \
region.";
