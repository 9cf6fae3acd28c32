package oauth2test_test

import (
	"fmt"
	"io"
	"net/http"

	"github.com/oauth2client/oauth2client/oauth2test"
)

// Mint a token without a browser and call the protected sample API with it.
func ExampleNewServer() {
	srv := oauth2test.NewServer(&oauth2test.Options{AutoApprove: true})
	defer srv.Close()

	access, _ := srv.MintToken("my-client", "alice", []string{"openid"}, 0)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+oauth2test.PathCalendarList, nil)
	req.Header.Set("Authorization", "Bearer "+access)
	resp, err := srv.Client().Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	fmt.Println(resp.Status)
	fmt.Print(string(body))
	// Output:
	// 200 OK
	// {"items":[{"accessRole":"owner","id":"alice@example.com","kind":"calendar#calendarListEntry","primary":true,"summary":"alice"}],"kind":"calendar#calendarList"}
}

// Make the next refresh fail with invalid_grant.
func ExampleServer_InjectFault() {
	srv := oauth2test.NewServer(nil)
	defer srv.Close()
	srv.InjectFault(oauth2test.Fault{
		Path:      oauth2test.PathToken,
		GrantType: "refresh_token",
		Error:     "invalid_grant",
		Count:     1,
	})
	fmt.Println(srv.TokenRequests("refresh_token"))
	// Output: 0
}
