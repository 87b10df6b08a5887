# bash completion for maasprov (the maasprov CLI). Installed as
# /usr/share/bash-completion/completions/maasprov; also printed by `maasprov completion bash`:
#   source <(maasprov completion bash)
# COMPREPLY from compgen ARGS for the current word ($cur of the caller).
_maasprov_reply() {
  mapfile -t COMPREPLY < <(compgen "$@" -- "$cur")
}

_maasprov() {
  local cur prev words cword
  if declare -F _init_completion >/dev/null 2>&1; then
    _init_completion || return
  else
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
  fi

  local commands="apply get describe delete wait validate plugins hosts version completion help"
  local types="maasmachines maasclusters secrets mm mc"
  local global="--server --token --token-file --namespace -n --help"

  # The command is the first word that is not a flag or a global flag's value.
  local cmd="" i
  for ((i = 1; i < cword; i++)); do
    case ${words[i]} in
      --server | --token | --token-file | --namespace | -n) ((i++)) ;;
      -*) ;;
      *) cmd=${words[i]}; break ;;
    esac
  done

  case $prev in
    -f | --filename | --token-file)
      _maasprov_reply -f
      compopt -o filenames 2>/dev/null
      return ;;
    -o | --output)
      _maasprov_reply -W "table wide json yaml"
      return ;;
    --for)
      _maasprov_reply -W "condition=Ready delete"
      return ;;
    --server | --token | --timeout | -n | --namespace | -l | --selector)
      return ;;
  esac

  if [[ -z $cmd ]]; then
    _maasprov_reply -W "$commands $global"
    return
  fi

  local flags=""
  case $cmd in
    apply) flags="-f --filename" ;;
    get) flags="-A --all-namespaces -l --selector -o --output" ;;
    describe) flags="-A --all-namespaces -l --selector" ;;
    delete) flags="-f --filename -l --selector --wait --timeout --ignore-not-found" ;;
    wait) flags="-A --all-namespaces -l --selector --for --timeout" ;;
    validate) flags="-f --filename" ;;
    plugins | hosts) flags="-o --output" ;;
    completion) _maasprov_reply -W "bash"; return ;;
    help) _maasprov_reply -W "$commands"; return ;;
  esac

  if [[ $cur == -* ]]; then
    _maasprov_reply -W "$flags $global"
    return
  fi

  case $cmd in
    get | describe | delete | wait)
      # The word after the command is the type; later words are object names from the server.
      local type="" j
      for ((j = i + 1; j < cword; j++)); do
        case ${words[j]} in
          -*) ;;
          *) type=${words[j]}; break ;;
        esac
      done
      if [[ -z $type ]]; then
        _maasprov_reply -W "$types"
      else
        # Object names: the first column of the table (the server is asked; errors stay quiet).
        local names
        names=$(maasprov get "$type" 2>/dev/null | awk 'NR > 1 { print $1 }')
        _maasprov_reply -W "$names"
      fi ;;
  esac
}
complete -F _maasprov maasprov
