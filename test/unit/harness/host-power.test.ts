import { idleStopScriptOf, incorrectStateAnswer, startInstancesAnswer } from '../../harness/host-power';
import { parseStartInstancesResponse } from '../../../common/src/ec2-start';

describe('the harness\'s EC2 answers', () => {
  it('answers StartInstances in the shapes the trigger parses', () => {
    expect(parseStartInstancesResponse(200, startInstancesAnswer('i-1', 'stopped', 'pending').body)).toEqual({ previous: 'stopped', current: 'pending' });
    const refused = incorrectStateAnswer('i-1');
    expect(parseStartInstancesResponse(refused.status, refused.body)).toMatchObject({ name: 'IncorrectInstanceState' });
  });

  it('takes the idle-stop script out of the user data\'s heredoc', () => {
    const userData = "#!/bin/bash\ncat >/usr/local/sbin/x <<'IDLE_STOP_SCRIPT'\n#!/bin/bash\necho idle\nIDLE_STOP_SCRIPT\nchmod 0755 x\n";
    expect(idleStopScriptOf(userData)).toBe('#!/bin/bash\necho idle');
    expect(() => idleStopScriptOf('#!/bin/bash\n')).toThrow('no IDLE_STOP_SCRIPT heredoc');
  });
});
