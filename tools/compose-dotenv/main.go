// Reads env files with Docker Compose's own parser (compose-go's dotenv, the
// one `docker compose` uses for a project's .env and `env_file:`), for the
// boot simulation's tests: prints one line per file, "ok" or "error: <why>".
package main

import (
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/dotenv"
)

func main() {
	for _, file := range os.Args[1:] {
		if _, err := dotenv.Read(file); err != nil {
			fmt.Printf("error: %v\n", err)
		} else {
			fmt.Println("ok")
		}
	}
}
