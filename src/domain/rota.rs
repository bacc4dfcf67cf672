//! The front-desk rota solver (being written).
