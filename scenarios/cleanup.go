package scenarios

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// Cleanup removes the users earlier runs left in a pool (those named with
// UserPrefix, for example after a killed run) and returns how many it removed.
func Cleanup(ctx context.Context, admin *cip.Client, poolID string) (int, error) {
	removed := 0
	for {
		out, err := admin.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(poolID), Filter: aws.String(`username ^= "` + UserPrefix + `"`), Limit: aws.Int32(60)})
		if err != nil {
			return removed, err
		}
		n := 0
		for _, u := range out.Users {
			name := aws.ToString(u.Username)
			if !strings.HasPrefix(name, UserPrefix) {
				continue
			}
			if _, err := admin.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(poolID), Username: aws.String(name)}); err != nil {
				return removed, err
			}
			removed++
			n++
		}
		if n == 0 {
			return removed, nil
		}
	}
}

// Admin returns the live target's Admin client and pool id, for Cleanup.
func (l *Live) Admin() (*cip.Client, string) { return l.admin, l.o.PoolID }
