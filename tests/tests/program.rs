//! The databounty program on the real Agave bank: one module per instruction, plus
//! whole lifecycles in `scenarios`.

mod cases;
