"""Alembic helpers against a real, empty database of the selected kind:
autogenerate per branch, upgrade/downgrade, history, current, check
(drift detection), offline SQL, the async helpers' calling style."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    insert,
    select,
)
from sqlalchemy.engine import URL

from shared_infrastructure.database.alembic_env import SCRIPT_LOCATION
from shared_infrastructure.database.base import NAMING_CONVENTION
from shared_infrastructure.database.migrations import (
    MigrationError,
    Migrations,
    check_migrations,
    create_migration,
    get_current_revision,
    get_current_revisions,
    get_migration_history,
    make_alembic_config,
    rollback_migration,
    run_migrations,
)
from shared_infrastructure.database.types import UtcDateTime

ALPHA = frozenset({"alpha_owner", "alpha_item"})
BETA = frozenset({"beta_thing"})
VERSION_TABLE = {"alembic_version"}


def build_metadata(
    *, owner_name: bool = True, item_extra: bool = False, alpha_new: bool = False
) -> MetaData:
    """Tables of two small "contexts"; the flags describe model changes."""
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    owner_columns = [Column("id", Integer, primary_key=True)]
    if owner_name:
        owner_columns.append(Column("name", String(50), nullable=False, unique=True))
    Table("alpha_owner", metadata, *owner_columns)
    item_columns = [
        Column("id", Integer, primary_key=True),
        Column("owner_id", ForeignKey("alpha_owner.id"), nullable=False, index=True),
        Column("label", String(30), nullable=False),
        Column("seen_at", UtcDateTime(), nullable=True),
    ]
    if item_extra:
        item_columns.append(Column("extra", Integer, nullable=True))
    Table("alpha_item", metadata, *item_columns)
    if alpha_new:
        Table("alpha_new", metadata, Column("id", Integer, primary_key=True))
    Table(
        "beta_thing",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("code", String(10), nullable=False, index=True),
    )
    return metadata


@dataclass
class Project:
    """Two branches (``alpha``, ``beta``), each with its version directory."""

    alpha_dir: Path
    beta_dir: Path
    url: URL

    def migrations(
        self,
        metadata: MetaData | None = None,
        tables: frozenset[str] | None = None,
        *,
        report_undeclared: bool = False,
    ) -> Migrations:
        return Migrations(
            make_alembic_config(
                version_locations=[self.alpha_dir, self.beta_dir],
                database_url=self.url,
                target_metadata=metadata if metadata is not None else build_metadata(),
                include_tables=tables,
                report_undeclared_tables=report_undeclared,
            )
        )

    def start_branches(self) -> None:
        """First revision of each branch, each applied."""
        alpha = self.migrations(tables=ALPHA)
        alpha.revision("create alpha", branch="alpha", version_path=self.alpha_dir)
        alpha.upgrade()
        beta = self.migrations(tables=BETA)
        beta.revision("create beta", branch="beta", version_path=self.beta_dir)
        beta.upgrade()


@pytest.fixture
def project(tmp_path: Path, empty_database: URL) -> Project:
    alpha, beta = tmp_path / "alpha" / "versions", tmp_path / "beta" / "versions"
    alpha.mkdir(parents=True)
    beta.mkdir(parents=True)
    return Project(alpha, beta, empty_database)


TableNames = Callable[[URL], set[str]]
ColumnNames = Callable[[URL, str], set[str]]


def test_branches_build_the_schema_from_nothing_and_remove_it(
    project: Project, table_names: TableNames
) -> None:
    project.start_branches()
    migrations = project.migrations()

    assert table_names(project.url) == ALPHA | BETA | VERSION_TABLE
    assert migrations.branch_labels() == ("alpha", "beta")
    assert migrations.current() == migrations.heads()
    assert migrations.is_up_to_date()
    assert migrations.check() == []

    migrations.downgrade("base")
    assert table_names(project.url) == VERSION_TABLE
    assert migrations.current() == ()

    migrations.upgrade("heads")  # and back again: downgrades really undo
    assert table_names(project.url) == ALPHA | BETA | VERSION_TABLE


def test_each_branch_lives_in_its_own_directory_with_its_label(project: Project) -> None:
    project.start_branches()
    history = project.migrations().history(with_current=True)

    by_label = {revision.branch_labels: revision for revision in history}
    assert set(by_label) == {("alpha",), ("beta",)}
    assert by_label[("alpha",)].path.parent == project.alpha_dir
    assert by_label[("beta",)].path.parent == project.beta_dir
    assert all(revision.is_current and revision.is_head for revision in history)


def test_check_reports_models_that_drifted_from_the_migrations(project: Project) -> None:
    project.start_branches()

    drifted = project.migrations(build_metadata(item_extra=True, alpha_new=True))
    differences = drifted.check()

    assert any("alpha_item.extra" in line and "add_column" in line for line in differences)
    assert any(line == "add_table alpha_new" for line in differences)


def test_a_revision_for_the_drift_makes_check_pass(
    project: Project, column_names: ColumnNames
) -> None:
    project.start_branches()
    changed = build_metadata(item_extra=True)

    written = project.migrations(changed, ALPHA).revision("add extra", branch="alpha")
    assert written is not None
    assert written.path.parent == project.alpha_dir
    project.migrations(changed).upgrade()

    assert "extra" in column_names(project.url, "alpha_item")
    assert project.migrations(changed).check() == []


def test_a_branch_filter_ignores_the_other_contexts_tables(project: Project) -> None:
    project.start_branches()
    alpha_only = build_metadata()
    alpha_only.remove(alpha_only.tables["beta_thing"])

    assert project.migrations(alpha_only, ALPHA).check() == []
    assert "remove_table beta_thing" in project.migrations(alpha_only).check()


def test_tables_no_model_declares_are_reported_only_when_asked(project: Project) -> None:
    project.start_branches()
    engine = create_engine(project.url)
    try:
        Table("stray", MetaData(), Column("id", Integer, primary_key=True)).create(engine)
    finally:
        engine.dispose()
    everything = ALPHA | BETA

    assert project.migrations(tables=everything).check() == []
    strict = project.migrations(tables=everything, report_undeclared=True)
    assert strict.check() == ["remove_table stray"]


def test_no_file_is_written_when_nothing_changed(project: Project) -> None:
    project.start_branches()
    before = sorted(project.alpha_dir.glob("*.py"))

    assert project.migrations(tables=ALPHA).revision("nothing", branch="alpha") is None
    assert sorted(project.alpha_dir.glob("*.py")) == before


def test_generated_revisions_import_custom_column_types(project: Project) -> None:
    project.start_branches()
    (alpha_file,) = project.alpha_dir.glob("*.py")
    text = alpha_file.read_text()

    assert "import shared_infrastructure.database.types" in text
    assert "shared_infrastructure.database.types.UtcDateTime(" in text
    assert 'branch_labels: str | Sequence[str] | None = ("alpha",)' in text


def test_rollback_is_per_branch_once_there_are_several(
    project: Project, table_names: TableNames
) -> None:
    project.start_branches()
    migrations = project.migrations()

    with pytest.raises(MigrationError, match="name the branch"):
        migrations.rollback()
    migrations.rollback(1, branch="alpha")

    assert migrations.current_revision("alpha") is None
    assert migrations.current_revision("beta") is not None
    assert table_names(project.url) == BETA | VERSION_TABLE


def test_current_revision_without_a_branch_is_ambiguous_with_several(project: Project) -> None:
    project.start_branches()
    with pytest.raises(MigrationError, match="several branches"):
        project.migrations().current_revision()


def test_autogenerate_needs_a_database_at_every_head(project: Project) -> None:
    project.migrations(tables=ALPHA).revision(
        "create alpha", branch="alpha", version_path=project.alpha_dir
    )
    migrations = project.migrations(tables=BETA)

    with pytest.raises(MigrationError, match="not up to date"):
        migrations.revision("create beta", branch="beta", version_path=project.beta_dir)
    with pytest.raises(MigrationError, match="not up to date"):
        migrations.check()


def test_a_new_branch_needs_its_version_directory(project: Project) -> None:
    with pytest.raises(MigrationError, match="version_path"):
        project.migrations().revision("start gamma", branch="gamma")


def test_upgrade_can_print_its_sql_without_touching_the_database(
    project: Project, table_names: TableNames
) -> None:
    project.migrations(tables=ALPHA).revision(
        "create alpha", branch="alpha", version_path=project.alpha_dir
    )

    sql = project.migrations().upgrade(sql=True)

    assert sql is not None
    assert "CREATE TABLE alpha_owner" in sql
    assert not table_names(project.url) & ALPHA


def test_dropping_a_column_of_a_referenced_table_keeps_its_rows(
    project: Project, column_names: ColumnNames
) -> None:
    """On SQLite this is a batch "move and copy" of a table other rows
    point at: it needs foreign keys off while copying, and a check after."""
    project.start_branches()
    engine = create_engine(project.url)
    metadata = build_metadata()
    owner, item = metadata.tables["alpha_owner"], metadata.tables["alpha_item"]
    try:
        with engine.begin() as connection:
            connection.execute(insert(owner).values(id=1, name="ann"))
            connection.execute(insert(item).values(id=1, owner_id=1, label="x"))

        changed = build_metadata(owner_name=False)
        project.migrations(changed, ALPHA).revision("drop owner name", branch="alpha")
        project.migrations(changed).upgrade()

        assert column_names(project.url, "alpha_owner") == {"id"}
        with engine.connect() as connection:
            assert connection.execute(select(item.c.owner_id)).scalars().all() == [1]
            assert connection.execute(select(owner.c.id)).scalars().all() == [1]
    finally:
        engine.dispose()


FAILING_REVISION = '''"""fails half way"""
import sqlalchemy as sa
from alembic import op

revision = "f00000000001"
down_revision = None
branch_labels = ("alpha",)
depends_on = None


def upgrade() -> None:
    op.create_table("half_done", sa.Column("id", sa.Integer(), primary_key=True))
    raise RuntimeError("boom")


def downgrade() -> None:
    op.drop_table("half_done")
'''


def test_a_failing_upgrade_leaves_nothing_behind(
    project: Project, db_kind: str, table_names: TableNames
) -> None:
    if db_kind == "mariadb":
        pytest.skip("MariaDB commits every DDL statement implicitly")
    (project.alpha_dir / "f00000000001_fails.py").write_text(FAILING_REVISION)
    migrations = project.migrations()

    with pytest.raises(RuntimeError, match="boom"):
        migrations.upgrade()

    assert "half_done" not in table_names(project.url)
    assert migrations.current() == ()


async def test_seed_002_async_helpers(tmp_path: Path, empty_database: URL) -> None:
    migrations_dir = tmp_path / "migrations"
    (migrations_dir / "versions").mkdir(parents=True)
    metadata = build_metadata()
    options = {"database_url": empty_database, "target_metadata": metadata}

    created = await create_migration(
        message="create everything", migrations_dir=migrations_dir, autogenerate=True, **options
    )
    assert created is not None
    assert created.path.parent == migrations_dir / "versions"

    await run_migrations(revision="head", migrations_dir=migrations_dir, **options)
    assert await get_current_revision(migrations_dir, **options) == created.revision
    assert await get_current_revisions(migrations_dir, **options) == (created.revision,)
    history = await get_migration_history(migrations_dir, with_current=True, **options)
    assert [item.revision for item in history] == [created.revision]
    assert history[0].is_current
    assert await check_migrations(migrations_dir, **options) == []

    await rollback_migration(steps=1, migrations_dir=migrations_dir, **options)
    assert await get_current_revision(migrations_dir, **options) is None


SEED_ENV = """from sqlalchemy import Column, Integer, MetaData, Table

from shared_infrastructure.database.alembic_env import run_alembic_env

metadata = MetaData()
Table("seeded", metadata, Column("id", Integer, primary_key=True))
run_alembic_env(metadata)
"""


def test_an_alembic_init_layout_with_its_own_env_and_ini(
    tmp_path: Path, empty_database: URL, table_names: TableNames
) -> None:
    """``alembic init`` style: alembic.ini + env.py + versions/ in one folder;
    the ini's ``sqlalchemy.url`` is used when no URL is passed."""
    folder = tmp_path / "migrations"
    (folder / "versions").mkdir(parents=True)
    (folder / "env.py").write_text(SEED_ENV)
    shutil.copy(SCRIPT_LOCATION / "script.py.mako", folder / "script.py.mako")
    url = empty_database.render_as_string(hide_password=False).replace("%", "%%")
    (folder / "alembic.ini").write_text(
        f"[alembic]\nscript_location = %(here)s\nsqlalchemy.url = {url}\n"
    )

    migrations = Migrations.from_dir(folder)
    written = migrations.revision("create seeded")
    migrations.upgrade()

    assert written is not None
    assert written.path.parent == folder / "versions"
    assert table_names(empty_database) == {"seeded"} | VERSION_TABLE


def test_config_escapes_percent_signs_and_keeps_the_password() -> None:
    config = make_alembic_config(
        version_locations=[Path("versions")],
        database_url="postgresql+asyncpg://user:p%25ss@localhost/app",
    )
    assert config.get_main_option("sqlalchemy.url") == (
        "postgresql+psycopg://user:p%25ss@localhost/app"
    )
    assert config.attributes["url"] == "postgresql+psycopg://user:p%25ss@localhost/app"


def test_the_generic_environment_needs_a_version_directory() -> None:
    with pytest.raises(MigrationError, match="no version directory"):
        make_alembic_config()
