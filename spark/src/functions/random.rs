//! Spark's seeded random functions: `rand(seed)`, `randn(seed)`, `uniform(min, max, seed)`
//! and `randstr(length, seed)`. With the same seed they return Spark's numbers: the generator
//! is Spark's `XORShiftRandom` (a xorshift over a Murmur3-hashed seed) behind
//! `java.util.Random`'s `nextDouble`, `nextInt` and `nextGaussian`.
//!
//! A generator runs through the rows of one task, so each call site needs its own state for
//! each query and each task: [`fresh_random_functions`] gives a planned query new instances
//! and executors decode each task's plan with new ones ([`fresh_random_function`]). Spark seeds
//! partition `p` with `seed + p`; Ember seeds every task with `seed`, so only a single
//! partition's numbers are Spark's.

use std::any::Any;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::{Arc, Mutex};

use arrow::array::{ArrayRef, Float64Array, StringBuilder};
use arrow::datatypes::DataType;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::{
    ColumnarValue, Expr, LogicalPlan, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    TypeSignature, Volatility,
};
use datafusion::scalar::ScalarValue;

use super::rows::{unexpected_input_type, wrong_num_args};

/// Spark's `org.apache.spark.util.random.XORShiftRandom`.
#[derive(Debug, Clone)]
pub struct XorShiftRandom {
    seed: i64,
    next_gaussian: Option<f64>,
}

impl XorShiftRandom {
    /// The generator Spark builds for `seed`.
    pub fn new(seed: i64) -> Self {
        Self {
            seed: hash_seed(seed),
            next_gaussian: None,
        }
    }

    fn next(&mut self, bits: u32) -> i32 {
        let mut next = self.seed ^ (self.seed << 21);
        next ^= ((next as u64) >> 35) as i64;
        next ^= next << 4;
        self.seed = next;
        (next & ((1i64 << bits) - 1)) as i32
    }

    /// `java.util.Random.nextInt()`.
    pub fn next_int(&mut self) -> i32 {
        self.next(32)
    }

    /// One of `randstr`'s 62 characters (digits, lower case, upper case) from `nextInt()`.
    pub fn next_alphanumeric(&mut self) -> char {
        let v = (self.next_int() % 62).unsigned_abs() as u8;
        char::from(match v {
            0..=9 => b'0' + v,
            10..=35 => b'a' + v - 10,
            _ => b'A' + v - 36,
        })
    }

    /// `java.util.Random.nextDouble()`: 53 random bits in [0, 1).
    pub fn next_double(&mut self) -> f64 {
        let high = i64::from(self.next(26)) << 27;
        let low = i64::from(self.next(27));
        (high + low) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// `java.util.Random.nextGaussian()`: Marsaglia's polar method, two values per round.
    pub fn next_gaussian(&mut self) -> f64 {
        if let Some(value) = self.next_gaussian.take() {
            return value;
        }
        loop {
            let v1 = 2.0 * self.next_double() - 1.0;
            let v2 = 2.0 * self.next_double() - 1.0;
            let s = v1 * v1 + v2 * v2;
            if s < 1.0 && s != 0.0 {
                let multiplier = (-2.0 * s.ln() / s).sqrt();
                self.next_gaussian = Some(v2 * multiplier);
                return v1 * multiplier;
            }
        }
    }
}

/// Scala's `MurmurHash3.bytesHash` of the seed's 8 big-endian bytes, twice: the low word
/// with Scala's array seed, the high word seeded with the low one.
fn hash_seed(seed: i64) -> i64 {
    let bytes = seed.to_be_bytes();
    let low = murmur3_bytes(&bytes, 0x3c07_4a61);
    let high = murmur3_bytes(&bytes, low);
    (i64::from(high) << 32) | (i64::from(low) & 0xFFFF_FFFF)
}

fn murmur3_bytes(data: &[u8], seed: i32) -> i32 {
    fn mix_last(h: i32, k: i32) -> i32 {
        let k = k.wrapping_mul(0xcc9e_2d51_u32 as i32).rotate_left(15);
        h ^ k.wrapping_mul(0x1b87_3593)
    }
    let mut h = seed;
    let mut chunks = data.chunks_exact(4);
    for chunk in &mut chunks {
        let k = i32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        h = mix_last(h, k)
            .rotate_left(13)
            .wrapping_mul(5)
            .wrapping_add(0xe654_6b64_u32 as i32);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        let mut k = 0i32;
        for (i, byte) in tail.iter().enumerate() {
            k ^= i32::from(*byte) << (8 * i);
        }
        h = mix_last(h, k);
    }
    // Finalization: avalanche of h ^ length.
    let mut h = (h ^ data.len() as i32) as u32;
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^= h >> 16;
    h as i32
}

/// Which of Spark's random functions an instance computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Rand,
    Randn,
    Uniform,
    Randstr,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Rand => "rand",
            Kind::Randn => "randn",
            Kind::Uniform => "uniform",
            Kind::Randstr => "randstr",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        [Kind::Rand, Kind::Randn, Kind::Uniform, Kind::Randstr]
            .into_iter()
            .find(|k| k.name() == name)
    }

    /// The argument counts Spark accepts; the seed is always the last, optional, argument.
    fn arities(self) -> &'static [usize; 2] {
        match self {
            Kind::Rand | Kind::Randn => &[0, 1],
            Kind::Uniform => &[2, 3],
            Kind::Randstr => &[1, 2],
        }
    }
}

/// One call site's random function, with the generator it has advanced so far.
#[derive(Debug)]
struct SeededRandom {
    kind: Kind,
    signature: Signature,
    aliases: Vec<String>,
    generator: Mutex<Option<XorShiftRandom>>,
}

impl SeededRandom {
    fn new(kind: Kind) -> Self {
        Self {
            kind,
            signature: Signature::one_of(
                vec![TypeSignature::Nullary, TypeSignature::VariadicAny],
                Volatility::Volatile,
            ),
            aliases: if kind == Kind::Rand {
                vec!["random".to_string()]
            } else {
                Vec::new()
            },
            generator: Mutex::new(None),
        }
    }
}

impl PartialEq for SeededRandom {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for SeededRandom {}

impl Hash for SeededRandom {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.kind.hash(state);
        (self as *const Self as usize).hash(state);
    }
}

fn is_integer(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64
    )
}

fn is_numeric(t: &DataType) -> bool {
    is_integer(t)
        || matches!(
            t,
            DataType::Float32 | DataType::Float64 | DataType::Decimal128(..) | DataType::Null
        )
}

impl ScalarUDFImpl for SeededRandom {
    fn name(&self) -> &str {
        self.kind.name()
    }

    fn aliases(&self) -> &[String] {
        &self.aliases
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        let name = self.kind.name();
        if !self.kind.arities().contains(&args.len()) {
            let [fewest, most] = *self.kind.arities();
            return Err(wrong_num_args(
                name,
                &format!("[{fewest}, {most}]"),
                args.len(),
            ));
        }
        let seeded = args.len() == self.kind.arities()[1];
        if seeded {
            let seed = &args[args.len() - 1];
            if !is_integer(seed) && seed != &DataType::Null {
                return Err(unexpected_input_type(
                    name,
                    args.len() - 1,
                    "INT or BIGINT",
                    seed,
                ));
            }
        }
        Ok(match self.kind {
            Kind::Rand | Kind::Randn => DataType::Float64,
            Kind::Randstr => {
                if !is_numeric(&args[0]) {
                    return Err(unexpected_input_type(name, 0, "INT", &args[0]));
                }
                DataType::Utf8
            }
            Kind::Uniform => {
                for (i, t) in args[..2].iter().enumerate() {
                    if !is_numeric(t) {
                        return Err(unexpected_input_type(name, i, "NUMERIC", t));
                    }
                }
                uniform_type(&args[0], &args[1])
            }
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let name = self.kind.name();
        let rows = args.number_rows;
        let mut constants = Vec::with_capacity(args.args.len());
        for (i, arg) in args.args.iter().enumerate() {
            match arg {
                ColumnarValue::Scalar(value) => constants.push(value.clone()),
                ColumnarValue::Array(_) => {
                    return Err(DataFusionError::Plan(format!(
                        "[DATATYPE_MISMATCH.NON_FOLDABLE_INPUT] Cannot resolve \"{name}\" due \
                         to data type mismatch: the input {} should be a foldable expression",
                        ["min", "max", "seed"]
                            .get(i)
                            .filter(|_| self.kind == Kind::Uniform)
                            .copied()
                            .unwrap_or(if i + 1 == args.args.len() {
                                "seed"
                            } else {
                                "length"
                            })
                    )));
                }
            }
        }
        let seeded = constants.len() == self.kind.arities()[1];
        let mut guard = self
            .generator
            .lock()
            .map_err(|_| DataFusionError::Execution(format!("{name}: generator poisoned")))?;
        let generator = guard.get_or_insert_with(|| {
            let seed = if seeded {
                match &constants[constants.len() - 1] {
                    ScalarValue::Int8(Some(v)) => i64::from(*v),
                    ScalarValue::Int16(Some(v)) => i64::from(*v),
                    ScalarValue::Int32(Some(v)) => i64::from(*v),
                    ScalarValue::Int64(Some(v)) => *v,
                    _ => 0,
                }
            } else {
                std::collections::hash_map::RandomState::new().hash_one(rows) as i64
            };
            XorShiftRandom::new(seed)
        });
        match self.kind {
            Kind::Rand => Ok(ColumnarValue::Array(Arc::new(
                Float64Array::from_iter_values((0..rows).map(|_| generator.next_double())),
            ))),
            Kind::Randn => Ok(ColumnarValue::Array(Arc::new(
                Float64Array::from_iter_values((0..rows).map(|_| generator.next_gaussian())),
            ))),
            Kind::Randstr => {
                let length = randstr_length(&constants[0])?;
                let mut builder = StringBuilder::with_capacity(rows, rows * length);
                let mut text = String::with_capacity(length);
                for _ in 0..rows {
                    text.clear();
                    text.extend((0..length).map(|_| generator.next_alphanumeric()));
                    builder.append_value(&text);
                }
                Ok(ColumnarValue::Array(Arc::new(builder.finish())))
            }
            Kind::Uniform => {
                let target = args.return_field.data_type().clone();
                let bound = |v: &ScalarValue| -> Result<Option<f64>> {
                    if v.is_null() {
                        return Ok(None);
                    }
                    match v.cast_to(&DataType::Float64)? {
                        ScalarValue::Float64(f) => Ok(f),
                        _ => Ok(None),
                    }
                };
                let (Some(min), Some(max)) = (bound(&constants[0])?, bound(&constants[1])?) else {
                    return Ok(ColumnarValue::Scalar(ScalarValue::try_from(&target)?));
                };
                let values: ArrayRef = Arc::new(Float64Array::from_iter_values(
                    (0..rows).map(|_| min + (max - min) * generator.next_double()),
                ));
                Ok(ColumnarValue::Array(arrow::compute::cast(
                    &values, &target,
                )?))
            }
        }
    }
}

/// `randstr`'s length: a non-negative constant (NULL is 0), as Spark checks it.
fn randstr_length(value: &ScalarValue) -> Result<usize> {
    if value.is_null() {
        return Ok(0);
    }
    let length = match value.cast_to(&DataType::Int64)? {
        ScalarValue::Int64(Some(v)) => v,
        _ => 0,
    };
    usize::try_from(length).map_err(|_| {
        DataFusionError::Plan(format!(
            "[DATATYPE_MISMATCH.VALUE_OUT_OF_RANGE] Cannot resolve \"randstr\" due to data type \
             mismatch: The `length` must be between 0 and 2147483647 (current value = {length})."
        ))
    })
}

/// `uniform`'s result type, as Spark picks it from the bounds' types.
fn uniform_type(min: &DataType, max: &DataType) -> DataType {
    use DataType::*;
    let both_integers = is_integer(min) && is_integer(max);
    match (min, max) {
        (Null, _) | (_, Null) => Float64,
        (Int64, _) | (_, Int64) if both_integers => Int64,
        (Int32, _) | (_, Int32) if both_integers => Int32,
        (Int16, _) | (_, Int16) if both_integers => Int16,
        _ if both_integers => Int8,
        (Float64, _) | (_, Float64) => Float64,
        (Float32, _) | (_, Float32) => Float32,
        (_, d @ Decimal128(..)) | (d @ Decimal128(..), _) => d.clone(),
        _ => Float64,
    }
}

/// The random functions, for registration (instances that planning replaces per query).
pub fn random_functions() -> Vec<Arc<ScalarUDF>> {
    [Kind::Rand, Kind::Randn, Kind::Uniform, Kind::Randstr]
        .into_iter()
        .map(|k| Arc::new(ScalarUDF::new_from_impl(SeededRandom::new(k))))
        .collect()
}

/// A new instance of the random function `name` (with a generator of its own), if `name` is
/// one: what an executor decodes for each task.
pub fn fresh_random_function(name: &str) -> Option<Arc<ScalarUDF>> {
    Kind::from_name(name).map(|k| Arc::new(ScalarUDF::new_from_impl(SeededRandom::new(k))))
}

/// Whether `udf` is one of this module's random functions (whose state must not be shared).
pub fn is_random_function(udf: &ScalarUDF) -> bool {
    (udf.inner().as_ref() as &dyn Any).is::<SeededRandom>()
}

/// `plan` with a generator of its own for every random function call in it, so that two
/// queries (or two calls in one query) do not share a sequence.
pub fn fresh_random_functions(plan: LogicalPlan) -> Result<LogicalPlan> {
    plan.transform_up(|node| {
        node.map_expressions(|expr| {
            expr.transform_up(|e| match e {
                Expr::ScalarFunction(ScalarFunction { func, args })
                    if is_random_function(&func) =>
                {
                    let fresh = fresh_random_function(func.name()).unwrap_or(func);
                    Ok(Transformed::yes(Expr::ScalarFunction(ScalarFunction {
                        func: fresh,
                        args,
                    })))
                }
                other => Ok(Transformed::no(other)),
            })
        })
    })
    .map(|t| t.data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequences_match_spark() {
        // SELECT rand(0), randn(0), randstr(5, 0) in JVM Spark 4.3.
        assert_eq!(XorShiftRandom::new(0).next_double(), 0.7604953758285915);
        assert_eq!(XorShiftRandom::new(0).next_gaussian(), 1.6034991609278433);
        let mut g = XorShiftRandom::new(0);
        let text: String = (0..5).map(|_| g.next_alphanumeric()).collect();
        assert_eq!(text, "ceV0P");
    }
}

#[cfg(test)]
mod fresh_tests {
    use super::*;
    use datafusion::logical_expr::{LogicalPlanBuilder, lit};

    #[test]
    fn each_call_gets_its_own_generator() {
        let rand = random_functions().remove(0);
        let call = Expr::ScalarFunction(ScalarFunction::new_udf(Arc::clone(&rand), vec![lit(0)]));
        let plan = LogicalPlanBuilder::empty(true)
            .project(vec![call.clone().alias("a"), call.alias("b")])
            .and_then(LogicalPlanBuilder::build)
            .expect("plans");
        let fresh = fresh_random_functions(plan).expect("rewrites");
        let mut found = Vec::new();
        for e in fresh.expressions() {
            let _ = e.apply(|e| {
                if let Expr::ScalarFunction(f) = e {
                    found.push(Arc::clone(&f.func));
                }
                Ok(datafusion::common::tree_node::TreeNodeRecursion::Continue)
            });
        }
        assert_eq!(found.len(), 2);
        assert!(!Arc::ptr_eq(&found[0], &rand));
        assert!(!Arc::ptr_eq(&found[0], &found[1]));
    }
}
