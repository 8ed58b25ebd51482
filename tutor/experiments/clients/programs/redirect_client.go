// The Go client of redirect-tutor: net/http's http.Client with its defaults, one process for a
// batch of requests. It reads the requests as JSON on stdin and prints, for each, what the
// client said (its error, or the answer it handed back) as JSON on stdout. What arrived is read
// from the lab's journal, never from here.
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"
)

type request struct {
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
	Stream  bool              `json:"stream"`
}

type reported struct {
	Status     int     `json:"status"`
	Redirected bool    `json:"redirected"`
	Location   *string `json:"location"`
}

type said struct {
	Error    *string   `json:"error"`
	Reported *reported `json:"reported"`
}

// once is a body http.NewRequest does not know how to rewind: it sets no GetBody for it, so
// the client cannot send it again after a 307 or 308 and hands back the redirect instead.
type once struct{ io.Reader }

func body(r request) (io.Reader, error) {
	raw, err := base64.StdEncoding.DecodeString(r.Body)
	if err != nil || len(raw) == 0 {
		return nil, err
	}
	if r.Stream {
		return once{bytes.NewReader(raw)}, nil
	}
	// A *bytes.Reader: NewRequest sets GetBody, so 307 and 308 can send the body again.
	return bytes.NewReader(raw), nil
}

func send(client *http.Client, r request) said {
	fail := func(err error) said { text := err.Error(); return said{Error: &text} }
	content, err := body(r)
	if err != nil {
		return fail(err)
	}
	req, err := http.NewRequest(r.Method, r.URL, content)
	if err != nil {
		return fail(err)
	}
	for name, value := range r.Headers {
		req.Header.Set(name, value)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fail(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	answer := &reported{Status: resp.StatusCode, Redirected: resp.Request.URL.String() != req.URL.String()}
	if location := resp.Header.Get("Location"); location != "" {
		answer.Location = &location
	}
	return said{Reported: answer}
}

func main() {
	seconds, _ := strconv.ParseFloat(os.Args[1], 64)
	atOnce, _ := strconv.Atoi(os.Args[2])
	var requests []request
	if err := json.NewDecoder(os.Stdin).Decode(&requests); err != nil {
		os.Stderr.WriteString("go client: " + err.Error() + "\n")
		os.Exit(2)
	}
	// http.Client's defaults (its redirect policy: at most 10, RFC 9110's methods), with a time
	// limit; the lab's CA comes the way Go programs are given one: SSL_CERT_FILE.
	client := &http.Client{Timeout: time.Duration(seconds * float64(time.Second))}
	done := make([]said, len(requests))
	next := make(chan int)
	var lanes sync.WaitGroup
	for lane := 0; lane < atOnce; lane++ {
		lanes.Add(1)
		go func() {
			defer lanes.Done()
			for i := range next {
				done[i] = send(client, requests[i])
			}
		}()
	}
	for i := range requests {
		next <- i
	}
	close(next)
	lanes.Wait()
	json.NewEncoder(os.Stdout).Encode(done)
}
