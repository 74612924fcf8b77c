package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/golang-migrate/migrate/v4"

	"github.com/sluice-fhir/sluice/internal/config"
	"github.com/sluice-fhir/sluice/migrations"
)

// migrateCommand runs `sluice migrate ...` on the configured database.
func migrateCommand(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return err
	}
	url, release, err := database(ctx, cfg)
	if err != nil {
		return err
	}
	defer release()
	m, err := migrations.New(url)
	if err != nil {
		return err
	}
	defer m.Close()
	number := func() (int, error) {
		if len(args) != 2 {
			return 0, fmt.Errorf("migrate %s needs a number", args[0])
		}
		return strconv.Atoi(args[1])
	}
	switch args[0] {
	case "up":
		err = m.Up()
	case "down":
		if len(args) == 2 && args[1] == "-all" {
			err = m.Down()
		} else if n, nerr := number(); nerr != nil {
			return errors.New("migrate down needs N (how many) or -all")
		} else {
			err = m.Steps(-n)
		}
	case "goto":
		n, nerr := number()
		if nerr != nil {
			return nerr
		}
		err = m.Migrate(uint(n))
	case "force":
		n, nerr := number()
		if nerr != nil {
			return nerr
		}
		err = m.Force(n)
	case "version":
	default:
		return errors.New(usage)
	}
	if err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return err
	}
	version, dirty, err := m.Version()
	switch {
	case errors.Is(err, migrate.ErrNilVersion):
		fmt.Println("version: none (empty database)")
	case err != nil:
		return err
	case dirty:
		fmt.Printf("version: %d (dirty: the last migration failed part-way; fix the database, then `sluice migrate force %d`)\n", version, version)
	default:
		fmt.Printf("version: %d\n", version)
	}
	return nil
}
