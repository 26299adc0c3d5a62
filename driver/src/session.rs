//! The embedding API: [`Session`] (one application: its driver, scheduler and executors) and
//! [`DataFrame`] (a query you can collect or stream).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use arrow::array::{RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::common::config::SpillCompression;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::logical_expr::LogicalPlan;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    ExecutionPlan, RecordBatchStream, SendableRecordBatchStream, displayable,
};
use datafusion::prelude::{SessionConfig, SessionContext};
use ember_executor::codec::encode_plan;
use ember_executor::memory::Codec;
use ember_executor::shuffle::{ShuffleEnv, ShuffleReaderExec, TaskInputs};
use ember_proto::auth::{AuthLayer, RequestSigner, Verifier};
use ember_proto::driver_service_server::DriverServiceServer;
use futures::{Stream, StreamExt, TryStreamExt};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

use crate::config::SparkConf;
use crate::driver_service::DriverGrpc;
use crate::error::{EmberError, Result};
use crate::launcher::{LaunchSettings, Launcher};
use crate::master::Master;
use crate::planner::{StageDag, plan_stages};
use crate::scheduler::{
    JobError, JobOutput, JobSpec, SchedulerConfig, SchedulerEvent, SchedulerHandle, StageMetrics,
    StageSpec,
};

/// Builds a [`Session`] from `spark.*` settings.
///
/// ```no_run
/// # async fn example() -> ember::Result<()> {
/// let session = ember::Session::builder()
///     .master("local[4]")
///     .config("spark.sql.shuffle.partitions", "8")
///     .build()
///     .await?;
/// let batches = session.sql("SELECT 1 AS one").await?.collect().await?;
/// session.stop().await;
/// # Ok(()) }
/// ```
#[derive(Debug, Default)]
pub struct SessionBuilder {
    conf: SparkConf,
    error: Option<EmberError>,
}

impl SessionBuilder {
    /// Sets `spark.master`: `local[N]`, `local[*]` or `local-cluster[E,C,M]`.
    pub fn master(self, master: &str) -> Self {
        self.config("spark.master", master)
    }

    /// Sets `spark.app.name`.
    pub fn app_name(self, name: &str) -> Self {
        self.config("spark.app.name", name)
    }

    /// Starts from a whole configuration (e.g. read from properties files).
    pub fn conf(mut self, conf: SparkConf) -> Self {
        self.conf = conf;
        self
    }

    /// Sets any `spark.*` key. A bad value of a known key is reported by [`SessionBuilder::build`].
    pub fn config(mut self, key: &str, value: &str) -> Self {
        if let Err(e) = self.conf.set(key, value)
            && self.error.is_none()
        {
            self.error = Some(e);
        }
        self
    }

    /// Starts the driver, the scheduler and the executors.
    ///
    /// # Errors
    /// Bad configuration, an unknown master, or executors that cannot be started.
    pub async fn build(self) -> Result<Session> {
        if let Some(e) = self.error {
            return Err(e);
        }
        Session::start(self.conf).await
    }
}

pub(crate) struct Inner {
    pub(crate) ctx: SessionContext,
    /// Tables replaced by their cached contents (`CACHE TABLE`), to restore on `UNCACHE TABLE`.
    pub(crate) cached:
        std::sync::Mutex<HashMap<String, Arc<dyn datafusion::catalog::TableProvider>>>,
    /// `spark.sql.ansi.enabled` as the operator planner reads it.
    ansi: Arc<std::sync::atomic::AtomicBool>,
    /// Settings as changed by `SET` / `RESET` since start.
    conf: std::sync::Mutex<SparkConf>,
    /// Settings the session was built with (what `RESET` returns to).
    pub(crate) initial_conf: SparkConf,
    /// Databases and tables persisted under `spark.sql.warehouse.dir`.
    pub(crate) catalog: crate::catalog::Catalog,
    master: Master,
    scheduler: SchedulerHandle,
    launcher: Mutex<Option<Launcher>>,
    server: Mutex<Option<JoinHandle<()>>>,
    driver_address: SocketAddr,
    results: Arc<ShuffleEnv>,
    /// Calls the driver's server refused as unauthenticated.
    auth_refused: Arc<ember_proto::auth::AuthCounters>,
    /// The application id (`spark.app.id`, or generated).
    app_id: String,
    /// Stage metrics of the last job that finished.
    last_metrics: std::sync::Mutex<Vec<StageMetrics>>,
    /// Session variables (`DECLARE VARIABLE`), which queries read as `@name`.
    pub(crate) variables: Arc<crate::variables::SessionVariables>,
}

/// One Ember application: a driver with its executors.
#[derive(Clone)]
pub struct Session {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("master", &self.inner.master)
            .field("driver", &self.inner.driver_address)
            .finish()
    }
}

impl Session {
    /// A builder with every setting at its default (`local[*]`).
    pub fn builder() -> SessionBuilder {
        SessionBuilder::default()
    }

    async fn start(conf: SparkConf) -> Result<Session> {
        let master_str = conf.get_or_default("spark.master").unwrap_or("local[*]");
        let master = Master::parse(master_str)?;
        // Dynamic allocation needs a launcher that can add executors: not local[N].
        let dynamic_allocation = match &master {
            Master::Local { .. } => None,
            Master::LocalCluster { executors, .. } => {
                crate::scheduler::allocation::DynamicAllocation::from_conf(&conf, *executors)?
            }
            Master::Kubernetes { .. } => {
                crate::scheduler::allocation::DynamicAllocation::from_conf(&conf, usize::MAX)?
            }
        };
        let total_cores = match master.total_cores() {
            Some(cores) => cores,
            None => {
                conf.get_usize("spark.executor.instances")?.unwrap_or(2)
                    * conf.get_usize("spark.executor.cores")?.unwrap_or(1)
            }
        };
        let shuffle_partitions = conf
            .get_usize("spark.sql.shuffle.partitions")?
            .unwrap_or(total_cores.max(1));
        let broadcast_threshold = conf
            .get_bytes("spark.sql.autoBroadcastJoinThreshold")?
            .unwrap_or(0);
        let max_message_bytes = conf
            .get_bytes("spark.rpc.message.maxSize")?
            .unwrap_or(ember_proto::DEFAULT_MAX_MESSAGE_BYTES as u64)
            .min(i32::MAX as u64) as usize;
        let heartbeat = conf
            .get_duration("spark.executor.heartbeatInterval")?
            .unwrap_or(Duration::from_secs(1));
        let network_timeout = conf
            .get_duration("spark.network.timeout")?
            .unwrap_or(Duration::from_secs(30));
        let rpc = ember_proto::rpc::RpcSettings {
            max_message_bytes,
            request_timeout: conf
                .get_duration("spark.rpc.askTimeout")?
                .unwrap_or(Duration::from_secs(120))
                .max(Duration::from_millis(1)),
            tls: crate::security::rpc_tls(&conf)?.map(Arc::new),
            ..Default::default()
        };
        // Before anything is started: TLS material rustls refuses (a key that is not the
        // certificate's) leaves nothing running.
        let server_builder = rpc.server().map_err(|e| {
            EmberError::config(
                "spark.ssl.rpc.certChain",
                &rpc.tls
                    .as_ref()
                    .map(|t| t.files().cert_chain.display().to_string())
                    .unwrap_or_default(),
                format!("cannot set up TLS: {}", ember_proto::rpc::error_chain(&e)),
            )
        })?;
        // Spark retries no task on local[N] (a failure there is the query's, not a machine's).
        let default_failures = if matches!(master, Master::Local { .. }) {
            1
        } else {
            4
        };
        let max_task_failures = match conf.get("spark.task.maxFailures") {
            Some(_) => conf.get_usize("spark.task.maxFailures")?.unwrap_or(4),
            None => default_failures,
        } as u32;
        let max_stage_attempts = conf
            .get_usize("spark.stage.maxConsecutiveAttempts")?
            .unwrap_or(4) as u32;
        let host = conf
            .get_or_default("spark.driver.host")
            .unwrap_or("127.0.0.1")
            .to_string();
        let port = conf.get_usize("spark.driver.port")?.unwrap_or(0);
        // Executor pods (and a driver outside them) never share local dirs, even when they
        // share an address (hostNetwork): read other executors' files over the network there.
        let read_host_local = match conf.get("spark.shuffle.readHostLocalDisk") {
            Some(_) => conf
                .get_bool("spark.shuffle.readHostLocalDisk")?
                .unwrap_or(true),
            None => !matches!(master, Master::Kubernetes { .. }),
        };
        let memory_fraction = conf.get_f64("spark.memory.fraction")?.unwrap_or(0.6);
        let local_memory_pool = match conf.get("spark.executor.memory") {
            Some(_) => conf
                .get_bytes("spark.executor.memory")?
                .map(|b| ember_executor::memory::pool_bytes(b, memory_fraction) as usize),
            None => None,
        };
        let local_dirs = local_dirs(&conf);
        let codec_name = conf
            .get_or_default("spark.io.compression.codec")
            .unwrap_or("lz4")
            .to_string();
        let codec = Codec::parse(&codec_name).ok_or_else(|| {
            EmberError::config(
                "spark.io.compression.codec",
                &codec_name,
                "expected lz4, zstd or none",
            )
        })?;
        let shuffle_codec = if conf.get_bool("spark.shuffle.compress")?.unwrap_or(true) {
            codec
        } else {
            Codec::None
        };
        let spill_codec = if conf
            .get_bool("spark.shuffle.spill.compress")?
            .unwrap_or(true)
        {
            codec
        } else {
            Codec::None
        };
        let executor_command = conf
            .get("spark.ember.executor.command")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string);

        let mut config = SessionConfig::new()
            .with_target_partitions(shuffle_partitions)
            .with_information_schema(true)
            .with_round_robin_repartition(false);
        let options = config.options_mut();
        options.optimizer.hash_join_single_partition_threshold = broadcast_threshold as usize;
        options.optimizer.hash_join_single_partition_threshold_rows =
            if broadcast_threshold == 0 { 0 } else { 1 << 20 };
        // A task runs one partition of a join; DataFusion's join dynamic filters wait until every
        // partition of the join in the same process has built its side, which never happens.
        options.optimizer.enable_join_dynamic_filter_pushdown = false;
        // Spark plans sort-merge joins unless a side is broadcast: they spill under memory
        // pressure, where a hash join's build side must fit.
        options.optimizer.prefer_hash_join = !conf
            .get_bool("spark.sql.join.preferSortMergeJoin")?
            .unwrap_or(true);
        options.execution.spill_compression = match spill_codec {
            Codec::None => SpillCompression::Uncompressed,
            Codec::Lz4 => SpillCompression::Lz4Frame,
            Codec::Zstd => SpillCompression::Zstd,
        };
        // Each task must read exactly its own file group: an idle partition of a scan would
        // otherwise steal its siblings' files, which other tasks (on other executors) also read.
        options.execution.enable_file_stream_work_stealing = false;
        // Uncorrelated scalar subqueries are planned as joins (DataFusion's escape hatch for
        // distributed engines): the physical ScalarSubqueryExec shares state between a node and
        // expressions that a stage cut may place in different tasks.
        options
            .optimizer
            .enable_physical_uncorrelated_scalar_subquery = false;
        let sql_options = sql_options(&conf)?;
        sql_options.apply(&mut config);
        let ansi = Arc::new(std::sync::atomic::AtomicBool::new(sql_options.ansi));
        // Tables change between statements (INSERT, external writers): list their files anew for
        // every query instead of caching listings.
        let runtime = RuntimeEnvBuilder::new()
            .with_object_list_cache_limit(0)
            .build_arc()?;
        let builder = ember_spark::state::planning_state(config, runtime, Arc::clone(&ansi));
        let state = builder.build();
        let ctx = SessionContext::new_with_state(state);
        ctx.register_udtf("range", Arc::new(ember_spark::coercion::SparkRange));
        let variables = Arc::new(crate::variables::SessionVariables::default());
        ctx.register_variable(
            datafusion::variable::VarType::UserDefined,
            Arc::clone(&variables) as _,
        );
        let catalog = crate::catalog::Catalog::new(
            conf.get_or_default("spark.sql.warehouse.dir")
                .unwrap_or("spark-warehouse"),
        )?;
        crate::catalog::register_all(&catalog, &ctx)?;

        // A cluster-mode driver gets its id from the submitter, which labelled its pod with it.
        let application_id = conf
            .get("spark.app.id")
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| format!("ember-{}", uuid::Uuid::new_v4().simple()));
        // Before anything is started, so that a bad secret leaves nothing running.
        let auth = crate::security::authentication(&conf, &master, &application_id)?.map(Arc::new);
        let scheduler = SchedulerHandle::start(SchedulerConfig {
            max_task_failures,
            max_stage_attempts,
            executor_timeout: network_timeout,
            tick: Duration::from_millis(500).min(heartbeat),
            // local and local-cluster executors are not replaced when they die; the Kubernetes
            // launcher replaces them, and fails the jobs itself when it cannot.
            no_executors_timeout: match master {
                Master::Kubernetes { .. } => None,
                _ if dynamic_allocation.is_some() => None,
                _ => Some(Duration::ZERO),
            },
            dynamic_allocation: dynamic_allocation.clone(),
        });
        // In a pod the driver listens on every interface and advertises its pod IP.
        let bind_host = conf
            .get("spark.driver.bindAddress")
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .unwrap_or(&host);
        let bind = format!("{bind_host}:{port}");
        let listener = tokio::net::TcpListener::bind(&bind)
            .await
            .map_err(|e| EmberError::Io {
                context: format!("cannot bind the driver to {bind}"),
                source: e,
            })?;
        let driver_address = listener.local_addr().map_err(|e| EmberError::Io {
            context: format!("cannot bind the driver to {bind}"),
            source: e,
        })?;
        let signer = RequestSigner::new(auth.as_ref().map(|a| a.credentials.clone()));
        let auth_refused = Arc::new(ember_proto::auth::AuthCounters::default());
        let auth_layer = AuthLayer::new(auth.as_ref().map(|a| {
            Arc::new(Verifier::new(
                a.credentials.clone(),
                Arc::clone(&auth_refused),
            ))
        }));
        let service = DriverServiceServer::new(DriverGrpc::new(
            scheduler.clone(),
            application_id.clone(),
            heartbeat.as_millis() as u64,
            rpc.clone(),
            signer.clone(),
        ))
        .max_decoding_message_size(max_message_bytes)
        .max_encoding_message_size(max_message_bytes);
        let incoming = rpc.incoming(listener);
        let server = tokio::spawn(async move {
            if let Err(e) = server_builder
                .layer(auth_layer)
                .add_service(service)
                .serve_with_incoming(incoming)
                .await
            {
                tracing::error!("driver server failed: {e}");
            }
        });

        let settings = LaunchSettings {
            driver_url: rpc.url(&host, driver_address.port()),
            host: host.clone(),
            local_dirs,
            read_host_local,
            max_message_bytes,
            heartbeat_interval: heartbeat,
            driver_timeout: network_timeout,
            rpc_timeout: rpc.request_timeout,
            local_memory_pool,
            memory_fraction,
            local_dirs_tmpfs: conf
                .get_bool("spark.kubernetes.local.dirs.tmpfs")?
                .unwrap_or(false),
            shuffle_codec,
            max_bytes_in_flight: conf
                .get_bytes("spark.reducer.maxSizeInFlight")?
                .unwrap_or(48 * 1024 * 1024) as usize,
            executor_command,
            registration_timeout: Duration::from_secs(60),
            conf: conf.clone(),
            app_id: application_id.clone(),
            dynamic_allocation,
            auth,
            tls: rpc.tls.clone(),
        };
        let launcher = match Launcher::start(&master, &settings, &scheduler).await {
            Ok(l) => l,
            Err(e) => {
                scheduler.stop().await;
                server.abort();
                return Err(e);
            }
        };
        let results = Arc::new(
            ShuffleEnv::new(
                "driver",
                host,
                read_host_local,
                max_message_bytes,
                settings.max_bytes_in_flight,
            )
            .with_signer(signer)
            .with_rpc(rpc),
        );
        Ok(Session {
            inner: Arc::new(Inner {
                ctx,
                cached: std::sync::Mutex::new(HashMap::new()),
                ansi,
                conf: std::sync::Mutex::new(conf.clone()),
                initial_conf: conf,
                catalog,
                master,
                scheduler,
                launcher: Mutex::new(Some(launcher)),
                server: Mutex::new(Some(server)),
                driver_address,
                results,
                auth_refused,
                app_id: application_id,
                last_metrics: std::sync::Mutex::new(Vec::new()),
                variables,
            }),
        })
    }

    /// The DataFusion context behind the session: register tables, UDFs, object stores here.
    pub fn context(&self) -> &SessionContext {
        &self.inner.ctx
    }

    /// The session's current settings.
    pub fn conf(&self) -> SparkConf {
        self.lock_conf().clone()
    }

    pub(crate) fn lock_conf(&self) -> std::sync::MutexGuard<'_, SparkConf> {
        // A panic while holding this lock cannot leave the map half-updated.
        self.inner.conf.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Applies a changed configuration to the DataFusion session.
    pub(crate) fn apply_conf(&self, conf: &SparkConf) -> Result<()> {
        let state = self.inner.ctx.state_ref();
        let mut state = state.write();
        let config = state.config_mut();
        let sql_options = sql_options(conf)?;
        sql_options.apply(config);
        self.inner
            .ansi
            .store(sql_options.ansi, std::sync::atomic::Ordering::Relaxed);
        if let Some(n) = conf.get_usize("spark.sql.shuffle.partitions")? {
            config.options_mut().execution.target_partitions = n;
        }
        for (key, value) in conf.iter() {
            if key.starts_with("datafusion.") {
                config.options_mut().set(key, value)?;
            }
        }
        // Functions that read the options when planned (the session time zone of the
        // timestamps they return) take the new ones, as after DataFusion's own `SET`.
        use datafusion::execution::FunctionRegistry;
        let options = state.config().options();
        let updated: Vec<_> = state
            .scalar_functions()
            .values()
            .filter_map(|f| f.inner().with_updated_config(options).map(Arc::new))
            .collect();
        for f in updated {
            state.register_udf(f)?;
        }
        Ok(())
    }

    /// The parsed master.
    pub fn master(&self) -> &Master {
        &self.inner.master
    }

    /// Scheduler events (stages, tasks, executors) from now on: for progress reporting and tests.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<SchedulerEvent> {
        self.inner.scheduler.subscribe()
    }

    /// What each live executor last reported in its heartbeat (memory, spill, shuffle, peak
    /// RSS), by executor id.
    pub async fn executor_metrics(&self) -> Vec<(String, ember_proto::ExecutorMetrics)> {
        self.inner.scheduler.executor_metrics().await
    }

    /// `(id, host:port)` of each live executor's gRPC server.
    pub async fn executor_addresses(&self) -> Vec<(String, String)> {
        self.inner.scheduler.executor_addresses().await
    }

    /// Where the driver's gRPC server listens.
    pub fn driver_address(&self) -> SocketAddr {
        self.inner.driver_address
    }

    /// Calls the driver refused as unauthenticated since start (`spark.authenticate`).
    pub fn driver_auth_refused(&self) -> u64 {
        self.inner.auth_refused.total()
    }

    /// The application id: what executors and Kubernetes resources are labelled with, and
    /// what every authenticated call is signed for.
    pub fn application_id(&self) -> &str {
        &self.inner.app_id
    }

    /// `(executor id, pid)` of executor processes (empty for `local[N]`).
    pub async fn executor_pids(&self) -> Vec<(String, u32)> {
        self.inner
            .launcher
            .lock()
            .await
            .as_ref()
            .map(Launcher::executor_pids)
            .unwrap_or_default()
    }

    /// Plans a SQL statement. Queries run when the returned [`DataFrame`] is collected or
    /// streamed; DDL (`CREATE EXTERNAL TABLE`, `CREATE VIEW`, `SET`, ...) runs now.
    /// `EXPLAIN` returns the logical, physical and distributed (stage DAG) plans.
    ///
    /// # Errors
    /// SQL errors, unknown tables and planning errors.
    pub async fn sql(&self, sql: &str) -> Result<DataFrame> {
        let sql = ember_spark::parser::literals::rewrite_literal_suffixes(sql);
        // Read under the state's lock: cloning the session state for every statement would
        // copy its function registries.
        let state = self.inner.ctx.state_ref();
        let is_aggregate = |name: &str| state.read().aggregate_functions().contains_key(name);
        let sql = ember_spark::parser::pipes::desugar_pipes(sql.as_ref(), &is_aggregate)
            .map_err(|e| EmberError::Plan(datafusion::error::DataFusionError::Plan(e.to_string())))?
            .into_owned();
        let sql = sql.as_str();
        if let Some(statement) = ember_spark::parser::variables::parse_variable_statement(sql) {
            let statement = statement
                .map_err(|e| EmberError::Plan(datafusion::error::DataFusionError::Plan(e)))?;
            return self.run_variable_statement(statement).await;
        }
        if let Some(statement) = crate::sql::parse(sql) {
            if let crate::sql::SparkStatement::Set(key, _) = &statement
                && self.inner.variables.contains(&key.to_ascii_lowercase())
            {
                return Err(EmberError::Plan(datafusion::error::DataFusionError::Plan(
                    format!(
                        "[UNSUPPORTED_FEATURE.SET_VARIABLE_USING_SET] The feature is not supported: \
                     `{key}` is a VARIABLE and cannot be updated using the SET statement. Use \
                     SET VARIABLE `{key}` = ... instead."
                    ),
                )));
            }
            return self.run_spark_statement(statement).await;
        }
        let (rewritten, files) = crate::datasource::file_references(sql);
        if !files.is_empty() {
            return self.sql_over_files(&rewritten, files).await;
        }
        let state = self.inner.ctx.state();
        let plan = self.plan_sql(sql).await?;
        match plan {
            LogicalPlan::Analyze(analyze) => {
                let ansi = self.inner.ansi.load(std::sync::atomic::Ordering::Relaxed);
                let plan = ember_spark::plan::spark_plan(analyze.input.as_ref().clone(), ansi)?;
                let physical = self.physical_plan(&plan).await?;
                let dag = plan_stages(Arc::clone(&physical), self.shuffle_partitions())?;
                let started = std::time::Instant::now();
                let mut stream = self.run(physical).await?;
                let mut rows = 0usize;
                while let Some(batch) = stream.next().await {
                    rows += batch?.num_rows();
                }
                drop(stream);
                let metrics = self.last_job_metrics();
                let summary = format!(
                    "{rows} rows in {:.3} s\n{}",
                    started.elapsed().as_secs_f64(),
                    crate::format::stage_metrics_table(&metrics)
                );
                Ok(DataFrame::local(explain_batch(vec![
                    ("distributed_plan", dag.display()),
                    ("stage_metrics", summary),
                ])?))
            }
            LogicalPlan::Explain(explain) => {
                let logical = state.optimize(&explain.plan)?;
                let physical = state.create_physical_plan(&logical).await?;
                let dag = plan_stages(Arc::clone(&physical), self.shuffle_partitions())?;
                let rows = vec![
                    ("logical_plan", logical.display_indent().to_string()),
                    (
                        "physical_plan",
                        displayable(physical.as_ref()).indent(false).to_string(),
                    ),
                    ("distributed_plan", dag.display()),
                ];
                Ok(DataFrame::local(explain_batch(rows)?))
            }
            LogicalPlan::Ddl(_)
            | LogicalPlan::Statement(_)
            | LogicalPlan::Dml(_)
            | LogicalPlan::Copy(_) => {
                let df = self.inner.ctx.execute_logical_plan(plan).await?;
                let schema: SchemaRef = Arc::new(df.schema().as_arrow().clone());
                let batches = df.collect().await?;
                Ok(DataFrame::Local {
                    schema,
                    batches,
                    display: None,
                })
            }
            plan => {
                let ansi = self.inner.ansi.load(std::sync::atomic::Ordering::Relaxed);
                let plan = ember_spark::plan::spark_plan(plan, ansi)?;
                let plan = ember_spark::parser::names::with_written_case(plan, sql)?;
                Ok(DataFrame::Distributed {
                    session: self.clone(),
                    plan,
                })
            }
        }
    }

    /// Parses one statement and rewrites Spark's syntax into what DataFusion plans: inline
    /// tables' names, Spark's column names, `PIVOT`, set operations, functions and clauses
    /// (`ember_spark::parser`). Rewrites that need the output names of a part of the statement
    /// get them by planning that part the same way.
    async fn spark_statement(&self, sql: &str) -> Result<datafusion::sql::parser::Statement> {
        use ember_spark::parser::{names, pivot, rewrite, setops, using};
        let dialect = ember_spark::parser::dialect::EmberDialect::default();
        let mut statement = parse_one_statement(sql, &dialect)?;
        if let datafusion::sql::parser::Statement::Statement(inner) = &mut statement {
            setops::name_inline_tables(inner);
            if let Some(query) = rewrite::statement_query_mut(inner) {
                names::alias_with_spark_names(query);
            }
            // PIVOT first: its aggregates are then rewritten like any other.
            let sources = pivot::pivot_sources(inner);
            if !sources.is_empty() {
                let mut columns = HashMap::new();
                for source in sources {
                    let query = format!("SELECT * FROM {source}");
                    if let Some(names) = self.output_names(&query).await {
                        columns.insert(source, names);
                    }
                }
                pivot::rewrite_pivots(inner, &columns);
            }
            let mut columns = HashMap::new();
            for input in setops::set_operation_inputs(inner) {
                if let Some(names) = self.output_names(&input).await {
                    columns.insert(input, names);
                }
            }
            setops::rewrite_set_operations(inner, &columns);
            let mut columns = HashMap::new();
            for side in using::using_join_inputs(inner) {
                if let Some(names) = self.output_names(&side).await {
                    columns.insert(side, names);
                }
            }
            using::rewrite_using_joins(inner, &columns);
            rewrite::rewrite_spark_syntax(inner);
        }
        Ok(statement)
    }

    /// Plans one statement of Spark SQL (not yet optimized): Spark's syntax rewritten, then
    /// Spark's literal types.
    pub(crate) async fn plan_sql(&self, sql: &str) -> Result<LogicalPlan> {
        let statement = self.spark_statement(sql).await?;
        let state = self.inner.ctx.state();
        let plan = match state.statement_to_plan(statement.clone()).await {
            // A name that is not a column may be a session variable (columns win, as in Spark).
            Err(e) if !self.inner.variables.is_empty() => {
                let mut statement = statement;
                let variables = &self.inner.variables;
                let marked = match &mut statement {
                    datafusion::sql::parser::Statement::Statement(inner) => {
                        ember_spark::parser::variables::reference_variables(inner, &|name| {
                            variables.contains(name)
                        })
                    }
                    _ => false,
                };
                if !marked {
                    return Err(e.into());
                }
                state.statement_to_plan(statement).await?
            }
            planned => planned?,
        };
        Ok(ember_spark::coercion::spark_integer_literals(plan)?)
    }

    /// The output column names of the query `sql`, planned as [`Session::sql`] plans it;
    /// `None` if it does not plan.
    async fn output_names(&self, sql: &str) -> Option<Vec<String>> {
        let statement = Box::pin(self.spark_statement(sql)).await.ok()?;
        let plan = self
            .inner
            .ctx
            .state()
            .statement_to_plan(statement)
            .await
            .ok()?;
        Some(
            plan.schema()
                .fields()
                .iter()
                .map(|f| ember_spark::parser::names::shown_name(f.name()).to_string())
                .collect(),
        )
    }

    /// What each stage of the last finished job measured (memory peaks, spills, shuffle bytes),
    /// as `EXPLAIN ANALYZE` shows it.
    pub fn last_job_metrics(&self) -> Vec<StageMetrics> {
        self.inner
            .last_metrics
            .lock()
            .map(|m| m.clone())
            .unwrap_or_default()
    }

    /// Stops the executors and the driver. Queries still running fail.
    pub async fn stop(&self) {
        // Executors told to shut down must not look like failures to replace.
        if let Some(launcher) = self.inner.launcher.lock().await.as_ref() {
            launcher.halt();
        }
        self.inner.scheduler.stop().await;
        if let Some(launcher) = self.inner.launcher.lock().await.take() {
            launcher.stop().await;
        }
        if let Some(server) = self.inner.server.lock().await.take() {
            server.abort();
        }
    }

    fn shuffle_partitions(&self) -> usize {
        self.inner.ctx.state().config().target_partitions()
    }

    pub(crate) async fn physical_plan(&self, plan: &LogicalPlan) -> Result<Arc<dyn ExecutionPlan>> {
        let state = self.inner.ctx.state();
        Ok(state.create_physical_plan(plan).await?)
    }

    /// Runs a physical plan on the executors and streams its result.
    pub(crate) async fn run(
        &self,
        physical: Arc<dyn ExecutionPlan>,
    ) -> Result<SendableRecordBatchStream> {
        let schema = physical.schema();
        let dag = plan_stages(physical, self.shuffle_partitions())?;
        let job_id = uuid::Uuid::new_v4().simple().to_string();
        let session_config: HashMap<String, String> = self
            .inner
            .ctx
            .state()
            .config()
            .options()
            .entries()
            .into_iter()
            .filter_map(|e| e.value.map(|v| (e.key, v)))
            .collect();
        let stages = dag
            .stages
            .iter()
            .map(|s| {
                Ok(StageSpec {
                    stage_id: s.id,
                    plan: encode_plan(Arc::clone(&s.plan))?,
                    inputs: s.inputs.clone(),
                    partitions: s.partitions,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let spec = JobSpec {
            job_id: job_id.clone(),
            stages,
            session_config: Arc::new(session_config),
        };
        // Cancels the job if this future is dropped before it finishes (Ctrl-C).
        let mut guard = JobGuard {
            scheduler: self.inner.scheduler.clone(),
            job_id: job_id.clone(),
            finished: false,
        };
        let output = self.inner.scheduler.run_job(spec).await;
        guard.finished = true;
        let output = match output {
            Ok(output) => {
                if let Ok(mut last) = self.inner.last_metrics.lock() {
                    last.clone_from(&output.metrics);
                }
                output
            }
            Err(JobError::Aborted(reason)) => return Err(EmberError::JobFailed(reason)),
            Err(JobError::Cancelled(id)) => return Err(EmberError::Cancelled(id)),
            Err(JobError::Stopped) => return Err(EmberError::Stopped),
        };
        self.read_output(schema, output, guard)
    }

    fn read_output(
        &self,
        schema: SchemaRef,
        output: JobOutput,
        guard: JobGuard,
    ) -> Result<SendableRecordBatchStream> {
        let partitions = output.outputs.len();
        let reader = Arc::new(ShuffleReaderExec::new(
            output.final_stage,
            Arc::clone(&schema),
            partitions,
            true,
        ));
        let inputs = TaskInputs {
            job_id: output.job_id.clone(),
            by_stage: HashMap::from([(output.final_stage, Arc::new(output.outputs))]),
            ..Default::default()
        };
        let state = self.inner.ctx.state();
        let config = state
            .config()
            .clone()
            .with_extension(Arc::clone(&self.inner.results))
            .with_extension(Arc::new(inputs));
        let task_ctx =
            Arc::new(datafusion::execution::TaskContext::from(&state).with_session_config(config));
        let streams = (0..partitions)
            .map(|p| reader.execute(p, Arc::clone(&task_ctx)))
            .collect::<datafusion::error::Result<Vec<_>>>()?;
        let stream = futures::stream::iter(streams).flatten().map_err(|e| {
            datafusion::error::DataFusionError::Execution(format!("cannot read job results: {e}"))
        });
        Ok(Box::pin(GuardedStream {
            inner: Box::pin(RecordBatchStreamAdapter::new(schema, stream)),
            _guard: guard,
        }))
    }
}

/// Parses exactly one statement with Ember's dialect (DataFusion's statement layer on top).
fn parse_one_statement(
    sql: &str,
    dialect: &ember_spark::parser::dialect::EmberDialect,
) -> Result<datafusion::sql::parser::Statement> {
    let mut statements = datafusion::sql::parser::DFParserBuilder::new(sql)
        .with_dialect(dialect)
        .build()
        .and_then(|mut p| p.parse_statements())?;
    match (statements.pop_front(), statements.is_empty()) {
        (Some(statement), true) => Ok(statement),
        (None, _) => Err(EmberError::Plan(datafusion::error::DataFusionError::Plan(
            "[PARSE_SYNTAX_ERROR] no statement to run".into(),
        ))),
        (Some(_), false) => Err(EmberError::Plan(datafusion::error::DataFusionError::Plan(
            "[PARSE_SYNTAX_ERROR] one statement at a time (split scripts on `;`)".into(),
        ))),
    }
}

/// The schema a user sees: repeated column names without their internal marker.
fn shown_schema(schema: &Schema) -> SchemaRef {
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| {
            f.as_ref()
                .clone()
                .with_name(ember_spark::parser::names::shown_name(f.name()))
        })
        .collect();
    Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()))
}

/// Cancels an unfinished job, or releases a finished job's files, when dropped.
struct JobGuard {
    scheduler: SchedulerHandle,
    job_id: String,
    finished: bool,
}

impl Drop for JobGuard {
    fn drop(&mut self) {
        if self.finished {
            self.scheduler.release(&self.job_id);
        } else {
            self.scheduler.cancel(&self.job_id);
        }
    }
}

/// A result stream that keeps its job's files until it is dropped.
struct GuardedStream {
    inner: SendableRecordBatchStream,
    _guard: JobGuard,
}

impl Stream for GuardedStream {
    type Item = datafusion::error::Result<RecordBatch>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl RecordBatchStream for GuardedStream {
    fn schema(&self) -> SchemaRef {
        self.inner.schema()
    }
}

fn local_dirs(conf: &SparkConf) -> Vec<PathBuf> {
    let raw = std::env::var("SPARK_LOCAL_DIRS")
        .ok()
        .or_else(|| conf.get_or_default("spark.local.dir").map(str::to_string))
        .unwrap_or_else(|| std::env::temp_dir().display().to_string());
    let dirs: Vec<PathBuf> = raw
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .collect();
    if dirs.is_empty() {
        vec![std::env::temp_dir()]
    } else {
        dirs
    }
}

fn explain_batch(rows: Vec<(&str, String)>) -> Result<RecordBatch> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("plan_type", DataType::Utf8, false),
        Field::new("plan", DataType::Utf8, false),
    ]));
    let types = StringArray::from_iter_values(rows.iter().map(|(t, _)| *t));
    let plans = StringArray::from_iter_values(rows.iter().map(|(_, p)| p.as_str()));
    Ok(
        RecordBatch::try_new(schema, vec![Arc::new(types), Arc::new(plans)])
            .map_err(datafusion::error::DataFusionError::from)?,
    )
}

/// The result of [`Session::sql`].
pub enum DataFrame {
    /// A query that runs on the executors when collected.
    Distributed { session: Session, plan: LogicalPlan },
    /// Rows the driver already has (DDL results, `EXPLAIN`).
    Local {
        schema: SchemaRef,
        batches: Vec<RecordBatch>,
        /// How `spark-sql` prints this command's result, where it differs from the rows
        /// (`DESCRIBE` pads its columns, `SHOW TABLES` prints names only).
        display: Option<Vec<String>>,
    },
}

impl std::fmt::Debug for DataFrame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataFrame")
            .field("schema", &self.schema())
            .finish()
    }
}

impl DataFrame {
    pub(crate) fn local(batch: RecordBatch) -> Self {
        DataFrame::Local {
            schema: batch.schema(),
            batches: vec![batch],
            display: None,
        }
    }

    pub(crate) fn empty() -> Self {
        DataFrame::Local {
            schema: Arc::new(Schema::empty()),
            batches: Vec::new(),
            display: None,
        }
    }

    pub(crate) fn with_display(self, lines: Vec<String>) -> Self {
        match self {
            DataFrame::Local {
                schema, batches, ..
            } => DataFrame::Local {
                schema,
                batches,
                display: Some(lines),
            },
            other => other,
        }
    }

    /// The lines `spark-sql` prints for this result when they are not simply its rows.
    pub fn spark_sql_display(&self) -> Option<&[String]> {
        match self {
            DataFrame::Local {
                display: Some(lines),
                ..
            } => Some(lines),
            _ => None,
        }
    }

    /// The result's schema.
    pub fn schema(&self) -> SchemaRef {
        match self {
            DataFrame::Distributed { plan, .. } => shown_schema(plan.schema().as_arrow()),
            DataFrame::Local { schema, .. } => Arc::clone(schema),
        }
    }

    /// Runs the query and returns all rows.
    ///
    /// # Errors
    /// A failed job (naming the stage and task), a cancelled job or a stopped session.
    pub async fn collect(self) -> Result<Vec<RecordBatch>> {
        let stream = self.execute_stream().await?;
        Ok(stream.try_collect().await?)
    }

    /// Runs the query and streams its rows in partition order. The job's shuffle files are kept
    /// until the stream is dropped.
    pub async fn execute_stream(self) -> Result<SendableRecordBatchStream> {
        match self {
            DataFrame::Distributed { session, plan } => {
                let physical = session.physical_plan(&plan).await?;
                let stream = session.run(physical).await?;
                let shown = shown_schema(plan.schema().as_arrow());
                if shown.as_ref() == stream.schema().as_ref() {
                    return Ok(stream);
                }
                let renamed = stream.map_ok({
                    let shown = Arc::clone(&shown);
                    move |batch| {
                        RecordBatch::try_new(Arc::clone(&shown), batch.columns().to_vec())
                            .unwrap_or(batch)
                    }
                });
                Ok(Box::pin(RecordBatchStreamAdapter::new(shown, renamed)))
            }
            DataFrame::Local {
                schema, batches, ..
            } => Ok(Box::pin(RecordBatchStreamAdapter::new(
                schema,
                futures::stream::iter(batches.into_iter().map(Ok)),
            ))),
        }
    }

    /// The stage DAG this query would run as.
    pub async fn stages(&self) -> Result<StageDag> {
        match self {
            DataFrame::Distributed { session, plan } => Ok(plan_stages(
                session.physical_plan(plan).await?,
                session.shuffle_partitions(),
            )?),
            DataFrame::Local { .. } => {
                Err(EmberError::Internal("a local result has no stages".into()))
            }
        }
    }
}

/// The `spark.sql.*` settings of `conf` that change what SQL means.
fn sql_options(conf: &SparkConf) -> Result<ember_spark::SqlOptions> {
    ember_spark::SqlOptions::from_settings(|key| conf.get(key).map(str::to_string))
        .map_err(|e| EmberError::config(e.key, &e.value, e.expected))
}
