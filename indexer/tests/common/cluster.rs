//! A throwaway PostgreSQL cluster the drill owns, so it can restart the server for real:
//! initdb into a temporary directory with the machine's server binaries, on a free port,
//! stopped and removed when dropped. As root the server runs as `postgres` (PostgreSQL
//! refuses root).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Cluster {
    bin: PathBuf,
    data: PathBuf,
    pub port: u16,
    as_postgres: bool,
}

/// The newest directory holding initdb, pg_ctl and postgres: the usual packaged places,
/// then pg_ctl on the PATH.
fn server_bin() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    for pattern in ["/usr/lib/postgresql", "/usr/local/pgsql"] {
        if let Ok(entries) = std::fs::read_dir(pattern) {
            let mut found: Vec<PathBuf> = entries.flatten().map(|e| e.path().join("bin")).collect();
            // Newest major version first.
            found.sort_by_key(|p| {
                std::cmp::Reverse(
                    p.parent()
                        .and_then(|v| v.file_name()?.to_str()?.parse::<u32>().ok())
                        .unwrap_or(0),
                )
            });
            dirs.extend(found);
        }
    }
    dirs.push(PathBuf::from("/usr/local/pgsql/bin"));
    if let Ok(path) = std::env::var("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    dirs.into_iter().find(|d| {
        ["initdb", "pg_ctl", "postgres"]
            .iter()
            .all(|b| d.join(b).is_file())
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl Cluster {
    /// Whether this machine has the server binaries a cluster needs.
    pub fn available() -> bool {
        server_bin().is_some()
    }

    /// A running cluster with a superuser `root` trusted on 127.0.0.1, or why not.
    pub fn start() -> Result<Self, String> {
        let bin = server_bin().ok_or("no PostgreSQL server binaries (initdb, pg_ctl)")?;
        let as_postgres = is_root();
        let data = std::env::temp_dir().join(format!("databounty-drill-pg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        std::fs::create_dir_all(&data).map_err(|e| format!("{}: {e}", data.display()))?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let cluster = Self {
            bin,
            data,
            port,
            as_postgres,
        };
        if as_postgres {
            let chown = Command::new("chown")
                .args(["-R", "postgres:"])
                .arg(&cluster.data)
                .output()
                .map_err(|e| e.to_string())?;
            ok(&chown, "chown")?;
        }
        let pgdata = cluster.pgdata();
        let init = cluster.run(
            "initdb",
            &[
                "-D",
                pgdata.to_str().ok_or("path")?,
                "-U",
                "root",
                "-A",
                "trust",
                "--no-sync",
            ],
        )?;
        ok(&init, "initdb")?;
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100",
            cluster.port,
            cluster.data.display()
        );
        let log = cluster.data.join("server.log");
        let start = cluster.pg_ctl(&[
            "-o",
            &opts,
            "-l",
            log.to_str().ok_or("path")?,
            "-w",
            "start",
        ])?;
        ok(&start, "pg_ctl start")?;
        Ok(cluster)
    }

    pub fn url(&self, database: &str) -> String {
        format!("postgres://root@127.0.0.1:{}/{database}", self.port)
    }

    /// Stops the server at once, as a crash does (no checkpoint, clients cut off), and
    /// starts it again on the same port: it recovers from its WAL.
    pub fn restart(&self) -> Result<(), String> {
        // The log again, or the server would write to (and hold open) our pipe.
        let log = self.data.join("server.log");
        let log = log.to_str().ok_or("path")?;
        let out = self.pg_ctl(&["-m", "immediate", "-l", log, "-w", "restart"])?;
        ok(&out, "pg_ctl restart")
    }

    fn pgdata(&self) -> PathBuf {
        self.data.join("data")
    }

    fn pg_ctl(&self, args: &[&str]) -> Result<Output, String> {
        let pgdata = self.pgdata();
        let mut all = vec!["-D", pgdata.to_str().ok_or("path")?];
        all.extend_from_slice(args);
        self.run("pg_ctl", &all)
    }

    fn run(&self, program: &str, args: &[&str]) -> Result<Output, String> {
        let path = self.bin.join(program);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&path);
            c
        } else {
            Command::new(&path)
        };
        command
            .args(args)
            .current_dir(&self.data)
            .output()
            .map_err(|e| format!("{program}: {e}"))
    }

    pub fn data_dir(&self) -> &Path {
        &self.data
    }
}

fn ok(out: &Output, what: &str) -> Result<(), String> {
    if out.status.success() {
        return Ok(());
    }
    Err(format!(
        "{what} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.pg_ctl(&["-m", "immediate", "-w", "stop"]);
        let _ = std::fs::remove_dir_all(&self.data);
    }
}
